namespace Imago.Data.Entities;

/// <summary>
/// The one row that says which schema the database holds. A binary refuses to run on a schema newer than it
/// knows (an older binary started after an upgrade), instead of misreading tables it does not understand.
/// </summary>
public sealed class SchemaVersionEntity
{
    /// <summary>Always <see cref="SingletonId"/>: the table has one row.</summary>
    public int Id { get; set; }

    public int Version { get; set; }

    public DateTime CreatedAt { get; set; }

    public const int SingletonId = 1;
}
