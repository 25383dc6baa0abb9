namespace Imago.Data.Entities;

/// <summary>
/// An AccessKey pair. The secret is needed in clear to verify HMAC signatures, so it cannot be hashed: it is
/// stored encrypted (AES-GCM) with the service's master key, which never enters the database.
/// </summary>
public sealed class AccessKeyEntity
{
    /// <summary>The AccessKeyId, e.g. <c>LTAI5t...</c>.</summary>
    public required string Id { get; set; }

    public long AccountId { get; set; }

    /// <summary>nonce | ciphertext | tag, as written by Imago.Core's secret protector.</summary>
    public required byte[] EncryptedSecret { get; set; }

    /// <summary><c>Active</c> or <c>Inactive</c> (the RAM console's words).</summary>
    public string Status { get; set; } = "Active";

    public DateTime CreatedAt { get; set; }
}
