using System.Globalization;
using System.Text.RegularExpressions;
using Imago.Cli;
using Imago.Core.Billing;
using Imago.Serve;

namespace Imago.Admin;

/// <summary>
/// <c>imago admin clock set TIME | advance DURATION | show</c>: writes the test clock file a server started with
/// <c>imago serve --clock FILE</c> reads (TEST ONLY; docs/billing.md). The file is <c>--clock FILE</c>, or
/// <c>DIR/clock</c> with <c>--data DIR</c> (default ./imago-data).
/// </summary>
public static partial class ClockCommands
{
    public const string DefaultFileName = "clock";

    private static readonly OptionParser Parser = new(["--clock", "--data"], []);

    public static CommandGroup Create() => new("clock", "TEST ONLY: set, advance or show the clock of an 'imago serve --clock FILE'",
    [
        new ClockCommand("set", "TIME", "stand the clock at TIME (UTC, e.g. 2026-03-01T10:00:00Z)", (_, operand) =>
            TestClock.Parse(operand) ?? throw new UsageException($"invalid TIME '{operand}' (UTC with a zone, e.g. 2026-03-01T10:00:00Z)")),
        new ClockCommand("advance", "DURATION", "move the clock forward by DURATION (e.g. 2h, 90m, 3600s, 1d, 1h30m)", (path, operand) =>
            TestClock.Read(path) + ParseDuration(operand)),
        new ClockCommand("show", "", "print the clock's time", null),
    ]);

    /// <summary>1d2h30m15s (any of the parts, in that order); positive, at most 10 years.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success || text.Length == 0)
        {
            throw new UsageException($"invalid DURATION '{text}' (e.g. 2h, 90m, 3600s, 1d, 1h30m)");
        }

        double Part(string name) => match.Groups[name].Success ? double.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        var duration = TimeSpan.FromDays(Part("d")) + TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m")) + TimeSpan.FromSeconds(Part("s"));
        return duration > TimeSpan.Zero && duration <= TimeSpan.FromDays(3660)
            ? duration
            : throw new UsageException($"invalid DURATION '{text}' (more than zero, at most 10 years)");
    }

    [GeneratedRegex(@"^(?:(?<d>\d{1,5})d)?(?:(?<h>\d{1,6})h)?(?:(?<m>\d{1,8})m)?(?:(?<s>\d{1,10})s)?$")]
    private static partial Regex DurationPattern();

    private sealed class ClockCommand(string name, string operand, string summary, Func<string, string, DateTimeOffset>? next) : ICommand
    {
        public string Name => name;

        public string Summary => $"{operand} [--clock FILE | --data DIR]: {summary}".TrimStart();

        public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
        {
            var options = Parser.Parse(args);
            if (options.Operands.Count != (operand.Length > 0 ? 1 : 0))
            {
                throw new UsageException($"usage: imago admin clock {name} {operand} [--clock FILE | --data DIR]");
            }

            var path = options.Value("--clock") is { Length: > 0 } file
                ? Path.GetFullPath(file)
                : Path.Combine(ServeSettings.DataDirectoryOf(options), DefaultFileName);
            if (next is not null)
            {
                var instant = next(path, options.Operands[0]);
                await TestClock.WriteAsync(path, instant, cancellationToken).ConfigureAwait(false);
            }

            await console.Out.WriteLineAsync(TestClock.Format(TestClock.Read(path))).ConfigureAwait(false);
            return 0;
        }
    }
}
