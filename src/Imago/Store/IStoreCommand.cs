using Imago.Cli;

namespace Imago.Store;

/// <summary>One sub-command of <c>imago store --data DIR</c>: it gets the data directory and the arguments after its name.</summary>
internal interface IStoreCommand
{
    string Name { get; }

    /// <summary>The argument synopsis shown in help, e.g. "SNAPSHOT_ID FILE -O FMT".</summary>
    string Usage { get; }

    string Summary { get; }

    Task<int> RunAsync(string dataDirectory, IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken);
}
