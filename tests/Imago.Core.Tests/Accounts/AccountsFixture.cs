using Imago.Core.Accounts;
using Imago.Data;
using Imago.Formats.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Imago.Core.Tests.Accounts;

/// <summary>A temp data directory with a SQLite database, a master key, and the account service and credential store over them.</summary>
internal sealed class AccountsFixture : IAsyncDisposable
{
    private readonly TempDirectory _data;

    private AccountsFixture(TempDirectory data, ImagoDatabase database)
    {
        _data = data;
        Database = database;
        var protector = new SecretProtector(MasterKey.LoadOrCreate(data.Path, environmentValue: null));
        Cache = new CredentialCache(Clock);
        Accounts = new AccountService(database, protector, TimeProvider.System, Cache);
        Credentials = new CredentialStore(database, protector, Cache, NullLogger<CredentialStore>.Instance);
    }

    public string DataDirectory => _data.Path;

    public ImagoDatabase Database { get; }

    public CredentialCache Cache { get; }

    /// <summary>The credential cache's clock, moved by hand.</summary>
    public ManualClock Clock { get; } = new();

    public AccountService Accounts { get; }

    public CredentialStore Credentials { get; }

    public static async Task<AccountsFixture> CreateAsync()
    {
        var data = new TempDirectory();
        var database = new ImagoDatabase(new DatabaseOptions(data.Path));
        await database.InitializeAsync();
        return new AccountsFixture(data, database);
    }

    /// <summary>Another process's view of the same data: its own account service, no shared cache.</summary>
    public AccountService OtherProcessAccounts() =>
        new(Database, new SecretProtector(MasterKey.LoadOrCreate(DataDirectory, environmentValue: null)), TimeProvider.System);

    /// <summary>A clock that stands still until <see cref="Advance"/>.</summary>
    internal sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
        return ValueTask.CompletedTask;
    }
}
