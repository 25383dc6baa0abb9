using Imago.Cli;
using Imago.Storage;

namespace Imago.Store;

/// <summary>
/// <c>imago store --data DIR COMMAND ...</c>: operator commands on a region store's data directory, without the API.
/// --data comes before the command (it names the store every command works on); each command then takes
/// qemu-img-style options (<see cref="OptionParser"/>). Every failure is one "imago: ..." line and exit code 1.
/// </summary>
public sealed class StoreCommand : ICommand
{
    private readonly Dictionary<string, IStoreCommand> _commands = new IStoreCommand[]
    {
        new ListCommand(),
        new StoreInfoCommand(),
        new ScrubCommand(),
        new GcCommand(),
        new ImportCommand(),
        new ExportCommand(),
        new SnapshotCommand(),
        new VolumeCommand(),
        new ReplicateCommand(),
        new NbdCommand(),
    }.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public string Name => "store";

    public string Summary => "operate a region block store: ls, info, scrub, gc, import, export, snapshot, volume, replicate, nbd";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            await PrintHelpAsync(args.Count == 0 ? console.Error : console.Out).ConfigureAwait(false);
            return args.Count == 0 ? 1 : 0;
        }

        try
        {
            var (dataDirectory, rest) = SplitDataOption(args);
            if (rest.Count == 0)
            {
                throw new UsageException("expecting a command after --data DIR (try 'imago store --help')");
            }

            if (!_commands.TryGetValue(rest[0], out var command))
            {
                throw new UsageException($"unknown store command '{rest[0]}' (try 'imago store --help')");
            }

            return await command.RunAsync(dataDirectory, rest.Skip(1).ToArray(), console, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return await ErrorReporter.ReportAsync(console, e, 1).ConfigureAwait(false);
        }
    }

    private static (string DataDirectory, IReadOnlyList<string> Remaining) SplitDataOption(IReadOnlyList<string> args)
    {
        if (args[0] == "--data")
        {
            return args.Count >= 2
                ? (args[1], args.Skip(2).ToArray())
                : throw new UsageException("option '--data' requires an argument");
        }

        if (args[0].StartsWith("--data=", StringComparison.Ordinal) && args[0].Length > "--data=".Length)
        {
            return (args[0]["--data=".Length..], args.Skip(1).ToArray());
        }

        throw new UsageException("the data directory is required first: imago store --data DIR COMMAND ...");
    }

    private async Task PrintHelpAsync(TextWriter writer)
    {
        await writer.WriteLineAsync("usage: imago store --data DIR <command> [options]").ConfigureAwait(false);
        await writer.WriteLineAsync().ConfigureAwait(false);
        foreach (var command in _commands.Values)
        {
            await writer.WriteLineAsync($"  {command.Name} {command.Usage}".TrimEnd()).ConfigureAwait(false);
            await writer.WriteLineAsync($"      {command.Summary}").ConfigureAwait(false);
        }
    }
}
