namespace Imago.Cli;

/// <summary>A command made of sub-commands (<c>imago img info ...</c>), and the root of the executable itself.</summary>
public sealed class CommandGroup(string name, string summary, IEnumerable<ICommand> commands) : ICommand
{
    private readonly Dictionary<string, ICommand> _commands = commands.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public string Name => name;

    public string Summary => summary;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        if (args.Count == 0)
        {
            await PrintHelpAsync(console.Error).ConfigureAwait(false);
            return 1;
        }

        if (args[0] is "-h" or "--help" or "help")
        {
            await PrintHelpAsync(console.Out).ConfigureAwait(false);
            return 0;
        }

        if (!_commands.TryGetValue(args[0], out var command))
        {
            return await ErrorReporter.ReportAsync(console,
                new UsageException($"unknown command '{args[0]}' (try '{Name} --help')"), 1).ConfigureAwait(false);
        }

        var rest = args.Skip(1).ToArray();
        if (command is CommandGroup)
        {
            return await command.RunAsync(rest, console, cancellationToken).ConfigureAwait(false);
        }

        // Leaf commands: every failure becomes one line on stderr and the command's error exit code.
        try
        {
            return await command.RunAsync(rest, console, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return await ErrorReporter.ReportAsync(console, ex, command.ErrorExitCode).ConfigureAwait(false);
        }
    }

    private async Task PrintHelpAsync(TextWriter writer)
    {
        await writer.WriteLineAsync($"usage: {Name} <command> [options]").ConfigureAwait(false);
        await writer.WriteLineAsync().ConfigureAwait(false);
        foreach (var command in _commands.Values)
        {
            await writer.WriteLineAsync($"  {command.Name,-10} {command.Summary}").ConfigureAwait(false);
        }
    }
}
