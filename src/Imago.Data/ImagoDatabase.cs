using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Imago.Data;

/// <summary>Builds <see cref="ImagoDbContext"/> instances for the configured backend and creates the schema.</summary>
public sealed class ImagoDatabase
{
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
            Directory.CreateDirectory(options.DataDirectory);
            var connection = new SqliteConnectionStringBuilder
            {
                DataSource = options.SqlitePath,
                Pooling = true,
                DefaultTimeout = 30,
            };
            builder.UseSqlite(connection.ToString());
        }

        _options = builder.Options;
    }

    public DatabaseOptions Options { get; }

    /// <summary>A new unit of work; dispose it when done.</summary>
    public ImagoDbContext CreateContext() => new(_options);

    /// <summary>Creates the schema when the database is empty (idempotent).</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var db = CreateContext();
        if (!Options.IsPostgres)
        {
            // WAL: readers never wait for the writer; NORMAL sync is durable at each checkpoint under WAL and
            // keeps commits cheap. busy_timeout lets concurrent writers queue instead of failing at once.
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", cancellationToken).ConfigureAwait(false);
        }

        await db.Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
    }
}
