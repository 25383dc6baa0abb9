using Imago.Cli;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Api.Tests.Billing;

/// <summary><c>imago serve --price-book/--clock</c> mistakes are one line; <c>imago admin clock</c> writes the test clock.</summary>
public sealed class ServeBillingOptionsTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CommandLine.Default.RunAsync(args, new CommandConsole(output, error), CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_price_book_without_a_served_instance_type_or_a_missing_clock_file_stops_serve_with_one_line()
    {
        using var data = new TempDirectory();
        var prices = Path.Combine(data.Path, "prices.json");
        await File.WriteAllTextAsync(prices, """{"regions":{"*":{"currency":"USD","snapshotPerGiBMonth":0.02,"instanceTypes":{"ecs.g7.large":0.1}}}}""");
        var (exit, _, error) = await RunAsync("serve", "--data", data.Path, "--urls", "http://127.0.0.1:0", "--nbd", "off", "--price-book", prices);
        Assert.Equal(1, exit);
        Assert.Matches($"^imago: price book {System.Text.RegularExpressions.Regex.Escape(prices)}: region cn-hangzhou has no price for instance type ecs\\.", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));

        var clock = Path.Combine(data.Path, "no-clock");
        (exit, _, error) = await RunAsync("serve", "--data", data.Path, "--urls", "http://127.0.0.1:0", "--nbd", "off", "--clock", clock);
        Assert.Equal(1, exit);
        Assert.StartsWith($"imago: clock file {clock}: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Admin_clock_sets_advances_and_shows_the_clock_file()
    {
        using var data = new TempDirectory();
        Assert.Equal((0, "2026-03-01T10:00:00Z\n"), Pick(await RunAsync("admin", "clock", "set", "2026-03-01T10:00:00Z", "--data", data.Path)));
        Assert.Equal((0, "2026-03-02T11:30:00Z\n"), Pick(await RunAsync("admin", "clock", "advance", "1d1h30m", "--data", data.Path)));
        Assert.Equal((0, "2026-03-02T11:30:00Z\n"), Pick(await RunAsync("admin", "clock", "show", "--clock", Path.Combine(data.Path, "clock"))));

        var (exit, _, error) = await RunAsync("admin", "clock", "advance", "soon", "--data", data.Path);
        Assert.Equal(1, exit);
        Assert.Contains("invalid DURATION 'soon'", error, StringComparison.Ordinal);
        (exit, _, error) = await RunAsync("admin", "clock", "set", "2026-03-01 10:00", "--data", data.Path);
        Assert.Equal(1, exit);
        Assert.Contains("invalid TIME", error, StringComparison.Ordinal);
    }

    private static (int, string) Pick((int ExitCode, string Output, string Error) run) => (run.ExitCode, run.Output.Replace("\r", "", StringComparison.Ordinal));
}
