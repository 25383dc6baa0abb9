using Imago.Data.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Imago.Data;

/// <summary>
/// Builds <see cref="ImagoDbContext"/> instances for the configured backend (the embedded SQLite file or
/// PostgreSQL) and creates the schema. Both backends run the same EF Core model; nothing above this class
/// knows which one is in use.
/// </summary>
public sealed class ImagoDatabase
{
    /// <summary>
    /// The schema this binary writes and understands. Raise it when the model changes incompatibly; until
    /// there are migrations (docs/architecture.md, "Persistence"), a database of another version is refused.
    /// </summary>
    public const int SchemaVersion = 4; // 4: usage intervals and the ledger (billing)

    /// <summary>
    /// How long a SQLite command waits for another writer (another connection or an <c>imago admin</c>
    /// process) before failing: Microsoft.Data.Sqlite retries busy/locked errors until the command timeout.
    /// </summary>
    public const int SqliteBusyTimeoutSeconds = 30;

    private readonly DbContextOptions<ImagoDbContext> _options;

    public ImagoDatabase(DatabaseOptions options)
    {
        Options = options;
        var builder = new DbContextOptionsBuilder<ImagoDbContext>();
        if (options.IsPostgres)
        {
            builder.UseNpgsql(options.ConnectionString);
        }
        else
        {
            var connection = new SqliteConnectionStringBuilder
            {
                DataSource = options.SqlitePath,
                Pooling = true,
                DefaultTimeout = SqliteBusyTimeoutSeconds,
                ForeignKeys = true,
            };
            builder.UseSqlite(connection.ToString());
        }

        _options = builder.Options;
    }

    public DatabaseOptions Options { get; }

    /// <summary>"sqlite (PATH)" or "postgresql (host:port/database)": for logs, never with a password.</summary>
    public string Description => Options.Describe();

    /// <summary>A new unit of work; dispose it when done.</summary>
    public ImagoDbContext CreateContext() => new(_options);

    /// <summary>
    /// Creates the schema when the database is empty (idempotent, safe when two processes start at once) and
    /// checks the schema version: a database written by a newer or unknown schema is refused with
    /// <see cref="SchemaVersionException"/>.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (!Options.IsPostgres)
        {
            Directory.CreateDirectory(Options.DataDirectory);
        }

        await using var db = CreateContext();
        if (!Options.IsPostgres)
        {
            // WAL: readers never wait for the writer and another process (imago admin) can write while serve
            // runs. The mode is stored in the file. synchronous stays FULL (SQLite's default under WAL in this
            // build, set explicitly here): a committed delete must survive a power loss, or a row could come
            // back pointing at block-store bytes that were removed after the commit.
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", cancellationToken).ConfigureAwait(false);
        }

        await CreateSchemaAsync(db, cancellationToken).ConfigureAwait(false);
        await CheckSchemaVersionAsync(db, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CreateSchemaAsync(ImagoDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            // Another process (a second test fixture, imago admin next to serve) created the schema between
            // our "are there tables?" check and our CREATE TABLE: the schema exists, which is what we wanted.
        }
    }

    private async Task CheckSchemaVersionAsync(ImagoDbContext db, CancellationToken cancellationToken)
    {
        SchemaVersionEntity? row;
        try
        {
            row = await db.SchemaVersion.AsNoTracking().SingleOrDefaultAsync(v => v.Id == SchemaVersionEntity.SingletonId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsMissingTable(e))
        {
            // Tables exist (so EnsureCreated did nothing) but not this one: not a database this imago wrote.
            throw new SchemaVersionException($"the database {Description} holds tables but no schema version: it was not created by this imago (use an empty database or data directory)");
        }

        if (row is null)
        {
            db.SchemaVersion.Add(new SchemaVersionEntity { Id = SchemaVersionEntity.SingletonId, Version = SchemaVersion, CreatedAt = DateTime.UtcNow });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Written by a process that started at the same time: read what it wrote.
                db.ChangeTracker.Clear();
                row = await db.SchemaVersion.AsNoTracking().SingleAsync(v => v.Id == SchemaVersionEntity.SingletonId, cancellationToken).ConfigureAwait(false);
            }
        }

        if (row is not null && row.Version != SchemaVersion)
        {
            throw new SchemaVersionException(row.Version > SchemaVersion
                ? $"the database {Description} has schema version {row.Version}, newer than this imago knows ({SchemaVersion}); run the imago version that wrote it"
                : $"the database {Description} has schema version {row.Version}, older than this imago's ({SchemaVersion}) and there is no migration for it yet");
        }
    }

    private static bool IsMissingTable(Exception e) => e switch
    {
        SqliteException { SqliteErrorCode: 1 } s => s.Message.Contains("no such table", StringComparison.Ordinal),
        Npgsql.PostgresException p => p.SqlState == "42P01",
        _ => false,
    };

    private static bool IsAlreadyExists(Exception e) => e switch
    {
        SqliteException { SqliteErrorCode: 1 } s => s.Message.Contains("already exists", StringComparison.Ordinal),
        Npgsql.PostgresException p => p.SqlState is "42P07" or "42P06" or "23505" or "42710",
        _ => false,
    };
}
