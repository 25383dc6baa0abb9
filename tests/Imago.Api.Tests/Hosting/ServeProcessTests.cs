using System.Diagnostics;
using System.Text.RegularExpressions;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Api.Tests.Hosting;

/// <summary>
/// <c>dotnet imago.dll serve</c> as a child process, as an operator runs it: the start line on stdout, a second
/// serve on the same directory refused, and SIGTERM ending it cleanly (exit 0) with the lock released.
/// </summary>
public sealed partial class ServeProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Serve_runs_as_a_process_refuses_a_second_one_and_stops_cleanly_on_SIGTERM()
    {
        using var data = new TempDirectory();
        using var first = Start("serve", "--data", data.Path, "--urls", "http://127.0.0.1:0", "--nbd", "off");
        try
        {
            var url = await WaitForStartLineAsync(first);
            using (var http = new HttpClient { BaseAddress = new Uri(url) })
            {
                Assert.True((await http.GetAsync("/healthz")).IsSuccessStatusCode);
            }

            using (var second = Start("serve", "--data", data.Path, "--urls", "http://127.0.0.1:0", "--nbd", "off"))
            {
                using var timeout = new CancellationTokenSource(Patience);
                var error = await second.StandardError.ReadToEndAsync(timeout.Token);
                await second.WaitForExitAsync(timeout.Token);
                Assert.Equal(1, second.ExitCode);
                Assert.Equal($"imago: the data directory {data.Path} is in use by another imago serve (imago.lock is locked)", error.TrimEnd('\n'));
            }

            using (var kill = Process.Start("kill", ["-TERM", first.Id.ToString()]))
            {
                await kill.WaitForExitAsync();
            }

            using var stop = new CancellationTokenSource(Patience);
            var rest = await first.StandardOutput.ReadToEndAsync(stop.Token);
            await first.WaitForExitAsync(stop.Token);
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("imago: stopped", rest);
            using var probe = new FileStream(Path.Combine(data.Path, "imago.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        finally
        {
            if (!first.HasExited)
            {
                first.Kill(entireProcessTree: true);
            }
        }
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "imago.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("IMAGO_MASTER_KEY");
        return Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet imago.dll");
    }

    /// <summary>Reads stdout (log lines may come first) until the start line; returns its URL.</summary>
    private static async Task<string> WaitForStartLineAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (StartLine().Match(line) is { Success: true } match)
            {
                return match.Groups["url"].Value;
            }
        }

        throw new InvalidOperationException($"serve exited before its start line: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
    }

    [GeneratedRegex(@"^imago: serving (?<url>http://127\.0\.0\.1:\d+) ")]
    private static partial Regex StartLine();
}
