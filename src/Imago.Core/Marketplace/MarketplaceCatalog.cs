using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Marketplace;

/// <summary>
/// The image market's products and subscriptions in the database (<c>imago admin marketplace withdraw|list|subscribe|
/// unsubscribe</c>): no store is touched, so these work while serve runs, which reads them on every request.
/// </summary>
public sealed class MarketplaceCatalog(ImagoDatabase database, TimeProvider time)
{
    /// <summary>
    /// Withdraws a product: no new launch from anything of its lineage (ImageRemovedInMarket); its images, snapshots,
    /// instances and disks stay. Withdrawing a withdrawn product is a no-op.
    /// </summary>
    public async Task<MarketplaceProductEntity> WithdrawAsync(string productCode, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var product = await db.MarketplaceProducts.FirstOrDefaultAsync(p => p.ProductCode == productCode, cancellationToken).ConfigureAwait(false)
            ?? throw NoProduct(productCode);
        if (product.Status != MarketplaceProductStatuses.Withdrawn)
        {
            product.Status = MarketplaceProductStatuses.Withdrawn;
            product.WithdrawnAt = time.GetUtcNow().UtcDateTime;
            product.Version++;
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        return product;
    }

    public async Task<IReadOnlyList<MarketplaceProductEntity>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return await db.MarketplaceProducts.AsNoTracking().OrderBy(p => p.ProductCode).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Subscribes an account (its name or id) to a published product (idempotent: the first subscription time is
    /// kept). Returns the account id.
    /// </summary>
    public async Task<long> SubscribeAsync(string account, string productCode, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var accountId = await ResolveAccountAsync(db, account, cancellationToken).ConfigureAwait(false);
        var product = await db.MarketplaceProducts.AsNoTracking().FirstOrDefaultAsync(p => p.ProductCode == productCode, cancellationToken)
            .ConfigureAwait(false) ?? throw NoProduct(productCode);
        if (product.Status != MarketplaceProductStatuses.Published)
        {
            throw new MarketplaceException($"product {productCode} is withdrawn: it takes no new subscriptions");
        }

        if (await MarketplaceRules.IsSubscribedAsync(db, accountId, productCode, cancellationToken).ConfigureAwait(false))
        {
            return accountId;
        }

        db.MarketplaceSubscriptions.Add(new MarketplaceSubscriptionEntity
        {
            AccountId = accountId,
            ProductCode = productCode,
            SubscribedAt = time.GetUtcNow().UtcDateTime,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // A concurrent subscribe of the same account won: the subscription exists, which is what was asked.
        }

        return accountId;
    }

    /// <summary>Ends a subscription: new launches need a new one; running instances go on. Unsubscribing twice is a no-op.</summary>
    public async Task<long> UnsubscribeAsync(string account, string productCode, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var accountId = await ResolveAccountAsync(db, account, cancellationToken).ConfigureAwait(false);
        if (!await db.MarketplaceProducts.AnyAsync(p => p.ProductCode == productCode, cancellationToken).ConfigureAwait(false))
        {
            throw NoProduct(productCode);
        }

        await db.MarketplaceSubscriptions.Where(s => s.AccountId == accountId && s.ProductCode == productCode)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return accountId;
    }

    /// <summary>The accounts subscribed to <paramref name="productCode"/>.</summary>
    public async Task<IReadOnlyList<long>> SubscribersAsync(string productCode, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return await db.MarketplaceSubscriptions.Where(s => s.ProductCode == productCode).OrderBy(s => s.AccountId).Select(s => s.AccountId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An account by name (as the account commands name it) or by its numeric id.</summary>
    private static async Task<long> ResolveAccountAsync(ImagoDbContext db, string account, CancellationToken cancellationToken)
    {
        var byName = await db.Accounts.Where(a => a.Name == account).Select(a => (long?)a.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (byName is { } id)
        {
            return id;
        }

        if (long.TryParse(account, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var accountId)
            && await db.Accounts.AnyAsync(a => a.Id == accountId, cancellationToken).ConfigureAwait(false))
        {
            return accountId;
        }

        throw new MarketplaceException($"no account '{Errors.EcsErrors.Printable(account)}' (name or id)");
    }

    private static MarketplaceException NoProduct(string productCode) => new($"no product {Errors.EcsErrors.Printable(productCode)}");
}
