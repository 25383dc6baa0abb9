using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Marketplace;

/// <summary>
/// The rules for using an image whose ancestry holds a Marketplace product (its ProductCode names one): the
/// marketplace image itself, any image derived from it, copies and shares of those. The launching account pays the
/// vendor, so the launching account must be subscribed when the product asks for it; a withdrawn product allows no
/// new launch of anything in its lineage. Images with an empty ProductCode, or one no product has, pass.
/// </summary>
public static class MarketplaceRules
{
    /// <summary>RunInstances, CreateInstance, ReplaceSystemDisk: ImageRemovedInMarket, then ImageNotSubscribed.</summary>
    public static async Task CheckLaunchAsync(ImagoDbContext db, Caller caller, ImageEntity image, CancellationToken cancellationToken)
    {
        if (image.ProductCode.Length == 0)
        {
            return;
        }

        var product = await FindAsync(db, image.ProductCode, cancellationToken).ConfigureAwait(false);
        if (product is null)
        {
            return;
        }

        if (product.Status != MarketplaceProductStatuses.Published)
        {
            throw MarketplaceErrors.RemovedInMarket(product.ProductCode);
        }

        if (product.RequiresSubscription && !await IsSubscribedAsync(db, caller.AccountId, product.ProductCode, cancellationToken).ConfigureAwait(false))
        {
            throw MarketplaceErrors.NotSubscribed(product.ProductCode);
        }
    }

    /// <summary>CopyImage: an image of a product may only go to the regions the product is published in.</summary>
    public static async Task CheckCopyAsync(ImagoDbContext db, ImageEntity source, string destinationRegionId, CancellationToken cancellationToken)
    {
        if (source.ProductCode.Length == 0)
        {
            return;
        }

        var product = await FindAsync(db, source.ProductCode, cancellationToken).ConfigureAwait(false);
        if (product is not null && !PublishedIn(product, destinationRegionId))
        {
            throw MarketplaceErrors.NotPublished(product.ProductCode, destinationRegionId);
        }
    }

    public static bool PublishedIn(MarketplaceProductEntity product, string regionId) => RegionsOf(product).Contains(regionId, StringComparer.Ordinal);

    public static IReadOnlyList<string> RegionsOf(MarketplaceProductEntity product) =>
        product.RegionIds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static Task<bool> IsSubscribedAsync(ImagoDbContext db, long accountId, string productCode, CancellationToken cancellationToken) =>
        db.MarketplaceSubscriptions.AnyAsync(s => s.AccountId == accountId && s.ProductCode == productCode, cancellationToken);

    private static Task<MarketplaceProductEntity?> FindAsync(ImagoDbContext db, string productCode, CancellationToken cancellationToken) =>
        db.MarketplaceProducts.AsNoTracking().FirstOrDefaultAsync(p => p.ProductCode == productCode, cancellationToken);
}
