using System.Text.RegularExpressions;
using Imago.Api.Tests.Infrastructure;
using Imago.Cli;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Api.Tests.Hosting;

/// <summary><c>imago serve</c> run as the command line runs it: start line, /healthz, clean stop, the data-directory lock.</summary>
public sealed partial class ServeCommandTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    [Fact]
    public async Task Serve_prints_its_start_line_answers_healthz_and_stops_cleanly_on_cancel()
    {
        using var data = new TempDirectory();
        using var cancellation = new CancellationTokenSource();
        var output = new SignalingWriter();
        using var error = new StringWriter();
        var run = CommandLine.Default.RunAsync(["serve", "--data", data.Path, "--urls", "http://127.0.0.1:0", "--nbd", "off"], new CommandConsole(output, error), cancellation.Token);

        var startLine = await output.FirstLineAsync(run);
        var match = StartLine().Match(startLine);
        Assert.True(match.Success, $"start line: {startLine} / stderr: {error}");
        Assert.Equal(data.Path, match.Groups["data"].Value);
        Assert.Equal($"sqlite ({Path.Combine(data.Path, "imago.db")})", match.Groups["db"].Value);
        Assert.Equal("cn-hangzhou,cn-shanghai,ap-southeast-1", match.Groups["regions"].Value);
        Assert.Equal("off", match.Groups["nbd"].Value);

        using (var http = new HttpClient { BaseAddress = new Uri(match.Groups["url"].Value) })
        {
            var health = await http.GetAsync("/healthz");
            Assert.True(health.IsSuccessStatusCode, $"/healthz: {(int)health.StatusCode}");
        }

        await cancellation.CancelAsync();
        Assert.Equal(0, await run);
        Assert.Contains("imago: stopped", output.ToString());
        Assert.True(File.Exists(Path.Combine(data.Path, "imago.db")));
        Assert.True(Directory.Exists(Path.Combine(data.Path, "regions", "cn-shanghai")));
    }

    [Fact]
    public async Task A_second_serve_on_the_same_data_directory_fails_at_once_with_one_line_naming_it()
    {
        var (exitCode, output, error) = await server.RunImagoAsync("serve", "--urls", "http://127.0.0.1:0", "--nbd", "off");

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Equal($"imago: the data directory {server.DataDirectory} is in use by another imago serve (imago.lock is locked)", error.TrimEnd('\n'));

        // The running server is unaffected.
        using var http = server.CreateHttpClient();
        Assert.True((await http.GetAsync("/healthz")).IsSuccessStatusCode);
    }

    [Theory]
    [InlineData("--urls", "ftp://x", "invalid --urls entry 'ftp://x'")]
    [InlineData("--nbd", "nowhere", "invalid --nbd address 'nowhere'")]
    [InlineData("--regions", "Not A Region", "invalid --regions")]
    [InlineData("--db", "Host=;Database=x", "--db is not a PostgreSQL connection string")]
    [InlineData("--bogus", "x", "unrecognized option '--bogus'")]
    public async Task Bad_options_are_one_line_errors(string option, string value, string expected)
    {
        using var data = new TempDirectory();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await CommandLine.Default.RunAsync(["serve", "--data", data.Path, option, value], new CommandConsole(output, error), CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("imago: " + expected, error.ToString());
        Assert.Single(error.ToString().TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(Path.Combine(data.Path, "imago.lock")), "nothing is opened before the options are checked");
    }

    [Fact]
    public async Task The_password_of_a_db_connection_string_never_appears_in_errors()
    {
        using var data = new TempDirectory();
        using var output = new StringWriter();
        using var error = new StringWriter();

        // Nothing listens on port 1: the connection fails, and the message must name the server, not the password.
        var exitCode = await CommandLine.Default.RunAsync(
            ["serve", "--data", data.Path, "--urls", "http://127.0.0.1:0", "--nbd", "off", "--db", "Host=127.0.0.1;Port=1;Database=imago;Username=u;Password=hunter2secret;Timeout=3"],
            new CommandConsole(output, error), CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.Contains("postgresql (127.0.0.1:1/imago)", error.ToString());
        Assert.DoesNotContain("hunter2secret", error.ToString() + output);
    }

    [GeneratedRegex(@"^imago: serving (?<url>http://127\.0\.0\.1:\d+) data=(?<data>\S+) db=(?<db>.+\)) regions=(?<regions>\S+) nbd=(?<nbd>\S+)$")]
    private static partial Regex StartLine();

    /// <summary>A console writer a test can wait on for the first complete line.</summary>
    private sealed class SignalingWriter : StringWriter
    {
        private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Write(char value)
        {
            base.Write(value);
            Check();
        }

        public override void Write(string? value)
        {
            base.Write(value);
            Check();
        }

        public override Task WriteLineAsync(string? value)
        {
            base.WriteLine(value);
            Check();
            return Task.CompletedTask;
        }

        /// <summary>The first line, or the command's failure if it ends before printing one.</summary>
        public async Task<string> FirstLineAsync(Task<int> run)
        {
            var finished = await Task.WhenAny(_firstLine.Task, run);
            return finished == _firstLine.Task ? await _firstLine.Task : throw new InvalidOperationException($"serve exited with {await run} before its start line");
        }

        private void Check()
        {
            var text = ToString();
            var end = text.IndexOf('\n');
            if (end >= 0)
            {
                _firstLine.TrySetResult(text[..end]);
            }
        }
    }
}
