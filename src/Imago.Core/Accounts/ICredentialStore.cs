namespace Imago.Core.Accounts;

/// <summary>What request authentication needs from the account store.</summary>
public interface ICredentialStore
{
    /// <summary>The key with this AccessKeyId and its secret in clear, or null when there is no such key.</summary>
    Task<AccessKeyCredential?> FindAsync(string accessKeyId, CancellationToken cancellationToken);
}

/// <summary>
/// An AccessKey as authentication sees it. <see cref="Enabled"/> is false when the key is Inactive or its account
/// is disabled. Never log <see cref="Secret"/>.
/// </summary>
public sealed record AccessKeyCredential(string AccessKeyId, string Secret, long AccountId, bool Enabled)
{
    public override string ToString() => $"AccessKeyCredential {{ AccessKeyId = {AccessKeyId}, AccountId = {AccountId}, Enabled = {Enabled} }}";
}
