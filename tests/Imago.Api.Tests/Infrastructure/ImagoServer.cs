using System.Net;
using Imago.Cli;
using Imago.Core.Accounts;
using Imago.Formats.Tests.Infrastructure;
using Imago.Api.Tests.Protocol;
using Imago.Serve;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Imago.Api.Tests.Infrastructure;

/// <summary>
/// The real service in process, started exactly as <c>imago serve</c> starts it (<see cref="ImagoHost"/>): on
/// 127.0.0.1 port 0, NBD on port 0 (both resolved to the bound ports), a temporary data directory, and the database from the
/// environment: a fresh PostgreSQL database per instance when IMAGO_TEST_POSTGRES holds a connection string
/// (created here, dropped on dispose), else SQLite in the data directory.
/// <para>
/// Use it as <c>IClassFixture&lt;ImagoServer&gt;</c> (one server per test class; classes run in parallel) or
/// join <see cref="ImagoServerCollection"/> (one server shared by every class in the collection, which then run
/// one after another). Accounts from <see cref="CreateAccountAsync()"/> are unique, so tests sharing a server
/// never see each other's resources. Set IMAGO_TEST_LOG=1 to see the service's log on the console.
/// </para>
/// </summary>
public sealed class ImagoServer : IAsyncLifetime
{
    public const string PostgresVariable = "IMAGO_TEST_POSTGRES";

    private readonly TempDirectory _data = new();
    private ImagoHost? _host;
    private HttpClient? _http;
    private string? _postgresDatabase;

    /// <summary>Regions the test server runs (the serve defaults).</summary>
    public IReadOnlyList<string> Regions { get; init; } = Imago.Core.Regions.RegionCatalog.DefaultRegionIds;

    /// <summary>imago serve --transfer-rate (MiB/s; 0 = unlimited) and --copy-concurrency.</summary>
    public double TransferRateMiBPerSecond { get; init; }

    public int CopyConcurrency { get; init; } = Imago.Core.ServiceOptions.DefaultCopyConcurrency;

    /// <summary>imago serve --clock DATA/clock standing at this time (advance it with <c>admin clock advance</c>); null: the system clock.</summary>
    public DateTimeOffset? TestClockStart { get; init; }

    /// <summary>The API's base address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress => new(Host.Addresses[0].GetLeftPart(UriPartial.Authority) + "/");

    /// <summary>host:port as an SDK's <c>endpoint</c> setting wants it.</summary>
    public string Endpoint => Host.Addresses[0].Authority;

    /// <summary>Where instance disks are served over NBD (<c>nbd://{NbdEndpoint}/d-...</c>), with its real port.</summary>
    public IPEndPoint NbdEndpoint => Host.NbdEndpoint ?? throw new InvalidOperationException("the NBD server is not running");

    public string DataDirectory => _data.Path;

    /// <summary>The PostgreSQL connection string of this server's own database, or null on SQLite.</summary>
    public string? ConnectionString { get; private set; }

    public bool IsPostgres => ConnectionString is not null;

    public ImagoHost Host => _host ?? throw new InvalidOperationException("the server is not started");

    public IServiceProvider Services => Host.Services;

    public T GetRequiredService<T>() where T : notnull => Services.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        try
        {
            if (Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } postgres)
            {
                ConnectionString = await CreatePostgresDatabaseAsync(postgres).ConfigureAwait(false);
            }

            string? clockFile = null;
            if (TestClockStart is { } start)
            {
                clockFile = Path.Combine(_data.Path, Imago.Admin.ClockCommands.DefaultFileName);
                await Imago.Core.Billing.TestClock.WriteAsync(clockFile, start, CancellationToken.None).ConfigureAwait(false);
            }

            var settings = new ServeSettings(["http://127.0.0.1:0"], _data.Path, ConnectionString, Regions, new IPEndPoint(IPAddress.Loopback, 0), InstanceTypesFile: null,
                CopyConcurrency: CopyConcurrency, TransferRateMiBPerSecond: TransferRateMiBPerSecond, ClockFile: clockFile);
            _host = await ImagoHost.StartAsync(settings, ConfigureLogging, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            // xunit does not dispose a fixture whose initialization failed: leave no database or directory behind.
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A new account with one AccessKey, named <paramref name="name"/> exactly.</summary>
    public Task<NewAccount> CreateAccountAsync(string name) =>
        GetRequiredService<AccountService>().CreateAsync(name, CancellationToken.None);

    /// <summary>A new account with a unique name.</summary>
    public Task<NewAccount> CreateAccountAsync() => CreateAccountAsync("test-" + Guid.NewGuid().ToString("N")[..12]);

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };

    /// <summary>One HttpClient for the running server, shared by the clients below (a new one after <see cref="RestartAsync"/>).</summary>
    public HttpClient Http => _http ??= CreateHttpClient();

    /// <summary>A signing client for <paramref name="account"/>'s key.</summary>
    public EcsClient ClientFor(NewAccount account) => new(Http, account.AccessKeyId, account.AccessKeySecret);

    /// <summary>A new account (unique name) and a signing client with its key.</summary>
    public async Task<(EcsClient Client, NewAccount Account)> CreateClientAsync()
    {
        var account = await CreateAccountAsync().ConfigureAwait(false);
        return (ClientFor(account), account);
    }

    /// <summary>
    /// Runs an <c>imago</c> command in process (e.g. <c>admin account list</c>) against this server's data:
    /// <c>--data</c> and, on PostgreSQL, <c>--db</c> are appended.
    /// </summary>
    public async Task<(int ExitCode, string Out, string Error)> RunImagoAsync(params string[] args)
    {
        var arguments = new List<string>(args) { "--data", DataDirectory };
        if (ConnectionString is not null)
        {
            arguments.AddRange(["--db", ConnectionString]);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CommandLine.Default.RunAsync(arguments, new CommandConsole(output, error), CancellationToken.None).ConfigureAwait(false);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Stops the service, runs <paramref name="whileStopped"/> (e.g. to leave the data as a crash would), and starts
    /// it again on the same data directory and database, on a new HTTP port (make new clients afterwards).
    /// </summary>
    public async Task RestartAsync(Func<Task>? whileStopped = null)
    {
        var settings = Host.Settings;
        await Host.DisposeAsync().ConfigureAwait(false);
        _host = null;

        // The shared HttpClient points at the old port.
        _http?.Dispose();
        _http = null;
        if (whileStopped is not null)
        {
            await whileStopped().ConfigureAwait(false);
        }

        _host = await ImagoHost.StartAsync(settings, ConfigureLogging, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Idempotent: also called when <see cref="InitializeAsync"/> fails halfway.</summary>
    public async Task DisposeAsync()
    {
        _http?.Dispose();
        _http = null;
        if (Interlocked.Exchange(ref _host, null) is { } host)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }

        if (Interlocked.Exchange(ref _postgresDatabase, null) is { } database)
        {
            await DropPostgresDatabaseAsync(database, ConnectionString).ConfigureAwait(false);
        }

        _data.Dispose();
    }

    /// <summary>Every Information-or-above log line of the service, for assertions (e.g. no secret is ever logged).</summary>
    public CapturingLoggerProvider Log { get; } = new();

    /// <summary>The captured log as text: one "category: message" per line, exceptions included.</summary>
    public string LogText => string.Join('\n', Log.Lines.Select(l => $"{l.Category}: {l.Message} {l.Exception}"));

    private void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.AddProvider(Log);
        if (Environment.GetEnvironmentVariable("IMAGO_TEST_LOG") is "1")
        {
            logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information)
                .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        }
    }

    private async Task<string> CreatePostgresDatabaseAsync(string serverConnectionString)
    {
        _postgresDatabase = "imago_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {_postgresDatabase}", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = _postgresDatabase }.ConnectionString;
    }

    private static async Task DropPostgresDatabaseAsync(string database, string? connectionString)
    {
        // Only this server's pool: other fixtures' pools are in use. FORCE ends whatever is still connected.
        if (connectionString is not null)
        {
            await using var pooled = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable(PostgresVariable));
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}

/// <summary>Test classes marked <c>[Collection(ImagoServerCollection.Name)]</c> share one <see cref="ImagoServer"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ImagoServerCollection : ICollectionFixture<ImagoServer>
{
    public const string Name = "imago server";
}
