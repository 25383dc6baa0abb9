using System.Text.RegularExpressions;
using Imago.Core.Ids;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Accounts;

/// <summary>
/// Accounts and their AccessKeys, as the operator manages them (<c>imago admin account|key ...</c>; the test
/// fixture too). Secrets are generated here, encrypted with <see cref="SecretProtector"/> before they reach
/// the database, and returned in clear exactly once, by <see cref="CreateAsync"/> and <see cref="AddKeyAsync"/>.
/// Every change clears the in-process <see cref="CredentialCache"/>, so a disabled key stops working at once.
/// </summary>
public sealed partial class AccountService(ImagoDatabase database, SecretProtector protector, TimeProvider time, CredentialCache? cache = null)
{
    public async Task<NewAccount> CreateAsync(string name, CancellationToken cancellationToken)
    {
        ValidateName(name);
        await using var db = database.CreateContext();
        if (await db.Accounts.AnyAsync(a => a.Name == name, cancellationToken).ConfigureAwait(false))
        {
            throw new AccountException($"account '{name}' already exists");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var account = new AccountEntity { Id = ResourceIds.NewAccountId(), Name = name, CreatedAt = now };
        var (key, secret) = NewKey(account.Id, now);
        db.Accounts.Add(account);
        db.AccessKeys.Add(key);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // The unique name index caught a concurrent create of the same name (or, once in 10^16, an id clash).
            throw new AccountException($"account '{name}' already exists");
        }

        cache?.Clear();
        return new NewAccount(account.Id, key.Id, secret);
    }

    public async Task<IReadOnlyList<AccountSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var accounts = await db.Accounts.AsNoTracking().OrderBy(a => a.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        var keys = await db.AccessKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ThenBy(k => k.Id)
            .Select(k => new { k.AccountId, k.Id, k.Status, k.CreatedAt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var keysByAccount = keys.ToLookup(k => k.AccountId, k => new AccessKeySummary(k.Id, k.Status, k.CreatedAt));
        return accounts.Select(a => new AccountSummary(a.Id, a.Name, a.Enabled, a.CreatedAt, keysByAccount[a.Id].ToArray())).ToArray();
    }

    /// <summary>The accounts' web-console passwords, over the same database.</summary>
    public ConsolePasswords ConsolePasswords => new(database);

    /// <summary>Disabling an account stops all its keys (Forbidden.AccessKeyDisabled) but keeps its resources.</summary>
    public async Task SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var account = await RequireAccountAsync(db, name, cancellationToken).ConfigureAwait(false);
        account.Enabled = enabled;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        cache?.Clear();
    }

    /// <summary>
    /// Deletes an account that owns nothing (no images, instances, disks or snapshots), with its keys, the
    /// shares it received and its idempotency records. An account that still owns resources is refused: its
    /// bytes would be left in the block stores with nothing pointing at them. Disable it instead, or delete its
    /// resources through the API first.
    /// </summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var account = await RequireAccountAsync(db, name, cancellationToken).ConfigureAwait(false);
        var id = account.Id;

        // The check and the deletes in one transaction (IMMEDIATE on SQLite: no other writer in between).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var owned = new (string What, int Count)[]
        {
            ("images", await db.Images.CountAsync(i => i.OwnerAccountId == id, cancellationToken).ConfigureAwait(false)),
            ("instances", await db.Instances.CountAsync(i => i.AccountId == id, cancellationToken).ConfigureAwait(false)),
            ("disks", await db.Disks.CountAsync(d => d.AccountId == id, cancellationToken).ConfigureAwait(false)),
            ("snapshots", await db.Snapshots.CountAsync(s => s.AccountId == id, cancellationToken).ConfigureAwait(false)),
        };
        if (owned.Any(o => o.Count > 0))
        {
            var list = string.Join(", ", owned.Where(o => o.Count > 0).Select(o => $"{o.Count} {o.What}"));
            throw new AccountException($"account '{name}' still owns {list}; delete them first, or disable the account instead");
        }

        await db.AccessKeys.Where(k => k.AccountId == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.ImageShares.Where(s => s.AccountId == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.ClientTokens.Where(c => c.AccountId == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.Tasks.Where(t => t.AccountId == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.Accounts.Where(a => a.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        cache?.Clear();
    }

    public async Task<NewAccessKey> AddKeyAsync(string accountName, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var account = await RequireAccountAsync(db, accountName, cancellationToken).ConfigureAwait(false);
        var (key, secret) = NewKey(account.Id, time.GetUtcNow().UtcDateTime);
        db.AccessKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        cache?.Clear();
        return new NewAccessKey(account.Id, key.Id, secret);
    }

    /// <summary>An Inactive key is refused with Forbidden.AccessKeyDisabled; enabling it makes it work again.</summary>
    public async Task SetKeyEnabledAsync(string accessKeyId, bool enabled, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var key = await db.AccessKeys.FirstOrDefaultAsync(k => k.Id == accessKeyId, cancellationToken).ConfigureAwait(false)
            ?? throw KeyNotFound(accessKeyId);
        key.Status = enabled ? AccessKeyStatuses.Active : AccessKeyStatuses.Inactive;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        cache?.Clear();
    }

    /// <summary>A deleted key is unknown from then on (InvalidAccessKeyId.NotFound).</summary>
    public async Task DeleteKeyAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var deleted = await db.AccessKeys.Where(k => k.Id == accessKeyId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        cache?.Clear();
        if (deleted == 0)
        {
            throw KeyNotFound(accessKeyId);
        }
    }

    private (AccessKeyEntity Key, string Secret) NewKey(long accountId, DateTime now)
    {
        var id = ResourceIds.NewAccessKeyId();
        var secret = ResourceIds.NewAccessKeySecret();
        return (new AccessKeyEntity { Id = id, AccountId = accountId, EncryptedSecret = protector.Protect(secret, id), CreatedAt = now }, secret);
    }

    private static async Task<AccountEntity> RequireAccountAsync(ImagoDbContext db, string name, CancellationToken cancellationToken) =>
        await db.Accounts.FirstOrDefaultAsync(a => a.Name == name, cancellationToken).ConfigureAwait(false)
        ?? throw new AccountException($"no account named '{Errors.EcsErrors.Printable(name)}'");

    private static AccountException KeyNotFound(string accessKeyId) =>
        new($"no AccessKey '{Errors.EcsErrors.Printable(accessKeyId)}'");

    private static void ValidateName(string name)
    {
        if (!AccountNamePattern().IsMatch(name))
        {
            throw new AccountException($"'{Errors.EcsErrors.Printable(name)}' is not a valid account name (1-64 letters, digits, '.', '_', '-', '@'; starting with a letter or digit)");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")]
    private static partial Regex AccountNamePattern();
}
