using Imago.Cli;
using Imago.Formats.Conversion;
using Imago.Img;

namespace Imago.Client;

/// <summary>What one client command run has: its settings, the two API clients, the waiter, the console.</summary>
public sealed record ClientContext(ClientSettings Settings, EcsApiClient Ecs, OssApiClient Objects, OperationWaiter Waiter, CommandConsole Console)
{
    /// <summary>A byte-count progress bar labelled <paramref name="what"/>, or null when progress is off.</summary>
    public IProgress<long>? BytesBar(string what, long total)
    {
        if (!Settings.ShowProgress)
        {
            return null;
        }

        Console.Error.WriteLine(what);
        var printer = new ProgressPrinter(Console);
        return new Progress(printer, Math.Max(total, 1));
    }

    /// <summary>Synchronous, unlike <see cref="System.Progress{T}"/>: reports arrive in order from the copy loop.</summary>
    private sealed class Progress(ProgressPrinter printer, long total) : IProgress<long>
    {
        public void Report(long value) => printer.Report(new ConvertProgress(Math.Min(value, total), total));
    }
}

/// <summary>
/// A client command (<c>imago image ...</c>): talks to a running service over HTTP, never to the data directory.
/// Parses the shared options (<see cref="ClientSettings"/>) plus its own, and turns refusals into one line.
/// </summary>
internal abstract class ClientCommand(string name, string operands, string summary, int operandCount) : ICommand
{
    public string Name => name;

    public string Summary => $"{operands} {OptionsUsage}: {summary}";

    /// <summary>This command's options with a value.</summary>
    protected virtual IEnumerable<string> ValueOptions => [];

    /// <summary>This command's flags.</summary>
    protected virtual IEnumerable<string> OwnFlags => [];

    protected virtual string OptionsUsage => "";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = new OptionParser([.. ClientSettings.ValueOptions, .. ValueOptions], [.. ClientSettings.Flags, .. OwnFlags]).Parse(args);
        if (options.Operands.Count != operandCount)
        {
            throw new UsageException($"usage: imago image {name} {operands} {OptionsUsage} {ClientSettings.Usage}".Replace("  ", " ", StringComparison.Ordinal));
        }

        var settings = ClientSettings.From(options, console);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var ecs = new EcsApiClient(http, settings);
        var context = new ClientContext(settings, ecs, new OssApiClient(http, settings), new OperationWaiter(ecs, settings, console), console);
        try
        {
            return await RunAsync(context, options, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ClientException($"cannot reach {settings.Endpoint}: {e.Message}");
        }
    }

    protected abstract Task<int> RunAsync(ClientContext context, ParsedOptions options, CancellationToken cancellationToken);

    protected static string Required(ParsedOptions options, string name) =>
        options.Value(name) ?? throw new UsageException($"{name} is required");
}
