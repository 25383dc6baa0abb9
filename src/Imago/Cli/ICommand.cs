namespace Imago.Cli;

/// <summary>
/// One command or command group of the <c>imago</c> executable (<c>img</c> now; <c>serve</c>, <c>admin</c> later).
/// A group dispatches its first argument to a sub-command the same way.
/// </summary>
public interface ICommand
{
    /// <summary>The word that selects the command on the command line.</summary>
    string Name { get; }

    /// <summary>One line for the help listing.</summary>
    string Summary { get; }

    /// <summary>Exit code for a failure (bad arguments, unreadable or refused input). qemu-img compare uses 2.</summary>
    int ErrorExitCode => 1;

    /// <summary>Runs the command on the arguments after its name and returns the process exit code.</summary>
    Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken);
}
