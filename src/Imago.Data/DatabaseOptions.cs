using Npgsql;

namespace Imago.Data;

/// <summary>
/// Where the metadata lives: <see cref="ConnectionString"/> set means PostgreSQL (an Npgsql connection string,
/// e.g. <c>Host=127.0.0.1;Port=5432;Database=imago;Username=imago;Password=...</c>); null means the embedded
/// SQLite file <c>imago.db</c> in the data directory.
/// </summary>
public sealed record DatabaseOptions(string DataDirectory, string? ConnectionString = null)
{
    public bool IsPostgres => !string.IsNullOrWhiteSpace(ConnectionString);

    public string SqlitePath => Path.Combine(DataDirectory, "imago.db");

    /// <summary>"sqlite (PATH)" or "postgresql (HOST:PORT/DATABASE)". Never contains a password.</summary>
    public string Describe()
    {
        if (!IsPostgres)
        {
            return $"sqlite ({SqlitePath})";
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"postgresql ({builder.Host}:{builder.Port}/{builder.Database})";
        }
        catch (ArgumentException)
        {
            return "postgresql (unparsable connection string)";
        }
    }

    /// <summary>The record's default ToString would print the connection string with its password.</summary>
    public override string ToString() => $"DatabaseOptions {{ DataDirectory = {DataDirectory}, Database = {Describe()} }}";
}
