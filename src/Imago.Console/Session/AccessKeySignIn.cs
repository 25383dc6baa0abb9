using System.Security.Cryptography;
using System.Text;
using Imago.Core.Accounts;

namespace Imago.WebConsole.Session;

/// <summary>
/// Checks an AccessKey pair the way request signatures resolve keys (<see cref="ICredentialStore"/>): the key must
/// exist, be Active and belong to an enabled account, and the secret must match (compared in constant time).
/// Every failure is the same answer, so the form does not tell which part was wrong.
/// </summary>
public sealed class AccessKeySignIn(ICredentialStore credentials)
{
    public const int MaxFieldLength = 128;

    public async Task<AccessKeyCredential?> VerifyAsync(string? accessKeyId, string? secret, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(accessKeyId) || string.IsNullOrEmpty(secret)
            || accessKeyId.Length > MaxFieldLength || secret.Length > MaxFieldLength)
        {
            return null;
        }

        var credential = await credentials.FindAsync(accessKeyId.Trim(), cancellationToken).ConfigureAwait(false);
        if (credential is null || !credential.Enabled)
        {
            return null;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(credential.Secret), Encoding.UTF8.GetBytes(secret))
            ? credential
            : null;
    }

    /// <summary>A session stays valid only while its key does: a disabled key or account ends it at the next request.</summary>
    public async Task<bool> StillValidAsync(string accessKeyId, long accountId, CancellationToken cancellationToken)
    {
        var credential = await credentials.FindAsync(accessKeyId, cancellationToken).ConfigureAwait(false);
        return credential is { Enabled: true } && credential.AccountId == accountId;
    }
}
