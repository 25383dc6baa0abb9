namespace Imago.Data.Entities;

/// <summary>A tenant. Ids are 16-digit numbers, as Alibaba Cloud account ids (AliyunId) are.</summary>
public sealed class AccountEntity
{
    public long Id { get; set; }

    /// <summary>Unique, chosen by the operator (<c>imago admin account create NAME</c>).</summary>
    public required string Name { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTime CreatedAt { get; set; }

    /// <summary>The web console's sign-in password as a PBKDF2 hash (Core's ConsolePasswords format); null: none set.</summary>
    public string? ConsolePasswordHash { get; set; }
}
