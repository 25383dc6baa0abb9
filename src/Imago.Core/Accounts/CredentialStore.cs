using System.Security.Cryptography;
using Imago.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Imago.Core.Accounts;

/// <summary>
/// Request authentication's view of the accounts: the AccessKey, its secret decrypted, and whether it may be
/// used (key Active and account enabled). Lookups go through a one-second <see cref="CredentialCache"/>.
/// </summary>
public sealed class CredentialStore(ImagoDatabase database, SecretProtector protector, CredentialCache cache, ILogger<CredentialStore> logger) : ICredentialStore
{
    public async Task<AccessKeyCredential?> FindAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        if (cache.Find(accessKeyId) is { } cached)
        {
            return cached;
        }

        await using var db = database.CreateContext();
        var row = await (
                from key in db.AccessKeys.AsNoTracking()
                join account in db.Accounts.AsNoTracking() on key.AccountId equals account.Id
                where key.Id == accessKeyId
                select new { key.Id, key.EncryptedSecret, key.Status, key.AccountId, account.Enabled })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        string secret;
        try
        {
            secret = protector.Unprotect(row.EncryptedSecret, row.Id);
        }
        catch (CryptographicException)
        {
            // Written under another master key (e.g. admin ran with IMAGO_MASTER_KEY and serve without): the
            // key cannot be verified, so it is treated as unknown, and the operator is told why.
            logger.LogError("AccessKey {AccessKeyId} cannot be decrypted with the master key in use; was it created with another master key?", row.Id);
            return null;
        }

        var credential = new AccessKeyCredential(row.Id, secret, row.AccountId, row.Enabled && row.Status == AccessKeyStatuses.Active);
        cache.Add(credential);
        return credential;
    }
}
