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
}
