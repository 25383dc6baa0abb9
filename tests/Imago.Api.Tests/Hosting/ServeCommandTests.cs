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
        await using var serve = await RunningServe.StartAsync("--data", data.Path, "--urls", "http://127.0.0.1:0", "--nbd", "off");

        Assert.Equal(data.Path, serve.Field("data"));
        Assert.Equal($"sqlite ({Path.Combine(data.Path, "imago.db")})", serve.Field("db"));
        Assert.Equal("cn-hangzhou,cn-shanghai,ap-southeast-1", serve.Field("regions"));
        Assert.Equal("off", serve.Field("nbd"));
        using (var http = new HttpClient { BaseAddress = new Uri(serve.Field("url")) })
        {
            var health = await http.GetAsync("/healthz");
            Assert.True(health.IsSuccessStatusCode, $"/healthz: {(int)health.StatusCode}");
        }

        Assert.Equal(0, await serve.StopAsync());
        Assert.Contains("imago: stopped", serve.Output);
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

    [Fact]
    public async Task The_start_line_shows_the_bound_nbd_port_and_a_busy_nbd_port_is_one_line()
    {
        using var data = new TempDirectory();
        await using var serve = await RunningServe.StartAsync("--data", data.Path, "--urls", "http://127.0.0.1:0", "--nbd", "127.0.0.1:0", "--regions", "cn-beijing");
        Assert.Equal("cn-beijing", serve.Field("regions"));
        var nbd = System.Net.IPEndPoint.Parse(serve.Field("nbd"));
        Assert.NotEqual(0, nbd.Port);

        // The NBD port of the running service is taken: a second service elsewhere fails with one line.
        using var other = new TempDirectory();
        var (exitCode, _, error) = await RunAsync("serve", "--data", other.Path, "--urls", "http://127.0.0.1:0", "--nbd", nbd.ToString());
        Assert.Equal(1, exitCode);
        Assert.StartsWith($"imago: cannot serve NBD on {nbd}: ", error);
        Assert.False(IsLocked(Path.Combine(other.Path, "imago.lock")), "the failed serve released its lock");

        Assert.Equal(0, await serve.StopAsync());
    }

    [Fact]
    public async Task A_busy_api_port_a_bad_instance_type_file_and_a_damaged_master_key_are_one_line_errors_that_release_the_lock()
    {
        using var data = new TempDirectory();

        var (busy, _, busyError) = await RunAsync("serve", "--data", data.Path, "--urls", server.BaseAddress.ToString().TrimEnd('/'), "--nbd", "off");
        Assert.Equal(1, busy);
        Assert.StartsWith($"imago: Failed to bind to address {server.BaseAddress.ToString().TrimEnd('/')}", busyError);
        Assert.False(IsLocked(Path.Combine(data.Path, "imago.lock")));

        var types = Path.Combine(data.Path, "types.json");
        await File.WriteAllTextAsync(types, "{ not json");
        var (bad, _, badError) = await RunAsync("serve", "--data", data.Path, "--urls", "http://127.0.0.1:0", "--nbd", "off", "--instance-types", types);
        Assert.Equal(1, bad);
        Assert.StartsWith($"imago: --instance-types {types}: not a JSON array of instance types", badError);
        Assert.Single(badError.TrimEnd('\n').Split('\n'));

        await File.WriteAllBytesAsync(Path.Combine(data.Path, "master.key"), new byte[5]);
        var (key, _, keyError) = await RunAsync("serve", "--data", data.Path, "--urls", "http://127.0.0.1:0", "--nbd", "off");
        Assert.Equal(1, key);
        Assert.Equal($"imago: {Path.Combine(data.Path, "master.key")} is not a master key (5 bytes, expected 32)", keyError.TrimEnd('\n'));
        Assert.False(IsLocked(Path.Combine(data.Path, "imago.lock")));
    }

    [Theory]
    [InlineData("--urls", "ftp://x", "invalid --urls entry 'ftp://x'")]
    [InlineData("--urls", "https://127.0.0.1:8443", "invalid --urls entry 'https://127.0.0.1:8443' (expected http://HOST:PORT")]
    [InlineData("--nbd", "nowhere", "invalid --nbd address 'nowhere'")]
    [InlineData("--regions", "Not A Region", "invalid --regions")]
    [InlineData("--db", "Host=;Database=x", "--db is not a PostgreSQL connection string")]
    [InlineData("--bogus", "x", "unrecognized option '--bogus'")]
    [InlineData("--nbd-host", "not a host!", "invalid --nbd-host 'not a host!'")]
    [InlineData("--copy-concurrency", "0", "invalid --copy-concurrency '0'")]
    [InlineData("--copy-concurrency", "many", "invalid --copy-concurrency 'many'")]
    [InlineData("--transfer-rate", "-1", "invalid --transfer-rate '-1'")]
    [InlineData("--transfer-rate", "fast", "invalid --transfer-rate 'fast'")]
    [InlineData("--forwarded-headers", "proxy.example", "invalid --forwarded-headers entry 'proxy.example'")]
    [InlineData("--forwarded-headers", ",", "--forwarded-headers needs at least one proxy address")]
    public async Task Bad_options_are_one_line_errors(string option, string value, string expected)
    {
        using var data = new TempDirectory();

        var (exitCode, _, error) = await RunAsync("serve", "--data", data.Path, option, value);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("imago: " + expected, error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(Path.Combine(data.Path, "imago.lock")), "nothing is opened before the options are checked");
    }

    [Fact]
    public async Task The_password_of_a_db_connection_string_never_appears_in_errors()
    {
        using var data = new TempDirectory();

        // Nothing listens on port 1: the connection fails, and the message must name the server, not the password.
        var (exitCode, output, error) = await RunAsync(
            "serve", "--data", data.Path, "--urls", "http://127.0.0.1:0", "--nbd", "off", "--db", "Host=127.0.0.1;Port=1;Database=imago;Username=u;Password=hunter2secret;Timeout=3");

        Assert.Equal(1, exitCode);
        Assert.Contains("postgresql (127.0.0.1:1/imago)", error);
        Assert.DoesNotContain("hunter2secret", error + output);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CommandLine.Default.RunAsync(args, new CommandConsole(output, error), CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static bool IsLocked(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    [GeneratedRegex(@"^imago: serving (?<url>http://127\.0\.0\.1:\d+) data=(?<data>\S+) db=(?<db>.+\)) regions=(?<regions>\S+) nbd=(?<nbd>\S+)$")]
    private static partial Regex StartLine();

    /// <summary>An <c>imago serve</c> running in process until <see cref="StopAsync"/> (Ctrl+C: its token cancelled).</summary>
    private sealed class RunningServe : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cancellation = new();
        private readonly SignalingWriter _output = new();
        private readonly StringWriter _error = new();
        private Task<int> _run = Task.FromResult(0);
        private Match _startLine = Match.Empty;

        public string Output => _output.ToString();

        /// <summary>A named part of the start line: url, data, db, regions, nbd.</summary>
        public string Field(string name) => _startLine.Groups[name].Value;

        public static async Task<RunningServe> StartAsync(params string[] options)
        {
            var serve = new RunningServe();
            serve._run = CommandLine.Default.RunAsync(["serve", .. options], new CommandConsole(serve._output, serve._error), serve._cancellation.Token);
            var line = await serve._output.FirstLineAsync(serve._run);
            serve._startLine = StartLine().Match(line);
            Assert.True(serve._startLine.Success, $"start line: {line} / stderr: {serve._error}");
            return serve;
        }

        public async Task<int> StopAsync()
        {
            await _cancellation.CancelAsync();
            return await _run;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _cancellation.Dispose();
            _output.Dispose();
            _error.Dispose();
        }
    }

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

    [Fact]
    public void Copy_concurrency_and_transfer_rate_are_parsed_with_their_defaults()
    {
        var defaults = Imago.Serve.ServeSettings.Parse([]);
        Assert.Equal((2, 0.0), (defaults.CopyConcurrency, defaults.TransferRateMiBPerSecond));
        var set = Imago.Serve.ServeSettings.Parse(["--copy-concurrency", "5", "--transfer-rate", "0.5"]);
        Assert.Equal((5, 0.5), (set.CopyConcurrency, set.TransferRateMiBPerSecond));
    }

    [Fact]
    public void Forwarded_headers_trust_only_the_listed_proxies()
    {
        Assert.Null(Imago.Serve.ServeSettings.Parse([]).ForwardedProxies);
        var set = Imago.Serve.ServeSettings.Parse(["--forwarded-headers", "loopback,10.0.0.5"]);
        Assert.Equal(["127.0.0.1", "::1", "10.0.0.5"], set.ForwardedProxies!.Select(p => p.ToString()));
    }
}
