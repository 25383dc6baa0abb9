using Imago.Data;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Data;

public sealed class DatabaseTests
{
    [Fact]
    public async Task Initialize_creates_the_schema_in_WAL_mode_records_the_version_and_is_idempotent()
    {
        using var data = new TempDirectory();
        var database = new ImagoDatabase(new DatabaseOptions(Path.Combine(data.Path, "new")));

        await database.InitializeAsync();
        await database.InitializeAsync();
        await new ImagoDatabase(database.Options).InitializeAsync();

        await using var db = database.CreateContext();
        var version = await db.SchemaVersion.SingleAsync();
        Assert.Equal(ImagoDatabase.SchemaVersion, version.Version);
        Assert.Equal("wal", await Scalar(db, "PRAGMA journal_mode"));
        Assert.Equal("1", await Scalar(db, "PRAGMA foreign_keys"));
        SqliteConnection.ClearAllPools();

        // synchronous is per connection: every new connection, not only the one that initialized, is FULL (2).
        await using var fresh = database.CreateContext();
        Assert.Equal("2", await Scalar(fresh, "PRAGMA synchronous"));
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task A_database_of_a_newer_schema_is_refused_with_a_clear_message()
    {
        using var data = new TempDirectory();
        var database = new ImagoDatabase(new DatabaseOptions(data.Path));
        await database.InitializeAsync();
        await using (var db = database.CreateContext())
        {
            await db.SchemaVersion.ExecuteUpdateAsync(s => s.SetProperty(v => v.Version, ImagoDatabase.SchemaVersion + 1));
        }

        var refused = await Assert.ThrowsAsync<SchemaVersionException>(() => new ImagoDatabase(database.Options).InitializeAsync());

        Assert.Equal($"the database sqlite ({database.Options.SqlitePath}) has schema version {ImagoDatabase.SchemaVersion + 1}, newer than this imago knows ({ImagoDatabase.SchemaVersion}); run the imago version that wrote it", refused.Message);
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task A_database_with_tables_but_no_schema_version_is_refused()
    {
        using var data = new TempDirectory();
        var database = new ImagoDatabase(new DatabaseOptions(data.Path));
        await database.InitializeAsync();
        await using (var db = database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("DROP TABLE SchemaVersion");
        }

        var refused = await Assert.ThrowsAsync<SchemaVersionException>(() => new ImagoDatabase(database.Options).InitializeAsync());

        Assert.StartsWith($"the database sqlite ({database.Options.SqlitePath}) holds tables but no schema version", refused.Message);
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Databases_initialized_concurrently_end_up_with_one_schema()
    {
        using var data = new TempDirectory();
        var options = new DatabaseOptions(data.Path);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new ImagoDatabase(options).InitializeAsync())));

        await using var db = new ImagoDatabase(options).CreateContext();
        Assert.Equal(1, await db.SchemaVersion.CountAsync());
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void Describing_a_postgres_database_never_shows_the_password()
    {
        var options = new DatabaseOptions("/data", "Host=db.example;Port=5433;Database=imago;Username=imago;Password=hunter2");

        Assert.Equal("postgresql (db.example:5433/imago)", options.Describe());
        Assert.DoesNotContain("hunter2", options.ToString());
        Assert.Equal("sqlite (/data/imago.db)", new DatabaseOptions("/data").Describe());
    }

    private static async Task<string?> Scalar(ImagoDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
