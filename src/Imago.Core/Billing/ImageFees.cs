using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Billing;

/// <summary>
/// What an image costs its viewer per month, from the same prices and rules the ledger bills with (docs/billing.md):
/// snapshot capacity of the image's snapshots the viewer owns (their StoredBytes at the price book's GiB-month price;
/// a shared or public image's snapshots cost the viewer nothing), and, for an image from a Marketplace product, the
/// vendor's hourly price for each instance made from it.
/// </summary>
public sealed class ImageFees(ImagoDatabase database, PriceBook prices)
{
    /// <param name="image">An image the caller may see (already checked through ImageAccess), with its disk mappings.</param>
    public async Task<ImageFeeQuote> QuoteAsync(Caller caller, ImageEntity image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(image);
        var regionPrices = prices.For(image.RegionId);
        var currency = regionPrices?.Currency ?? "USD";
        var perGiBMonth = regionPrices?.SnapshotPerGiBMonth ?? 0;
        var monthSeconds = prices.HoursPerMonth * 3600m;
        var snapshotIds = image.DiskMappings.Select(d => d.SnapshotId).OfType<string>().Distinct().ToList();
        await using var db = database.CreateContext();
        var owned = await db.Snapshots.AsNoTracking()
            .Where(s => s.RegionId == image.RegionId && s.AccountId == caller.AccountId && snapshotIds.Contains(s.Id))
            .Select(s => new { s.Id, s.StoredBytes })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var snapshots = owned.OrderBy(s => snapshotIds.IndexOf(s.Id))
            .Select(s => new SnapshotFee(s.Id, s.StoredBytes, Charges.Capacity(s.StoredBytes, monthSeconds, perGiBMonth, currency, prices.HoursPerMonth)))
            .ToList();

        VendorFee? vendor = null;
        if (image.ProductCode.Length > 0)
        {
            var product = await db.MarketplaceProducts.AsNoTracking()
                .FirstOrDefaultAsync(p => p.ProductCode == image.ProductCode, cancellationToken).ConfigureAwait(false);
            if (product is not null)
            {
                vendor = new VendorFee(product.ProductCode, product.Vendor, product.HourlyPrice,
                    Charges.Hourly(LedgerItems.ImageFee, monthSeconds, product.HourlyPrice, product.Currency));
            }
        }

        return new ImageFeeQuote(currency, perGiBMonth, prices.HoursPerMonth, snapshots, snapshots.Sum(s => s.Month.Amount), vendor);
    }
}

/// <param name="PerGiBMonth">The price book's snapshot capacity price in the image's region.</param>
/// <param name="SnapshotMonth">The month's snapshot capacity charge of all <paramref name="Snapshots"/>.</param>
public sealed record ImageFeeQuote(string Currency, decimal PerGiBMonth, int HoursPerMonth, IReadOnlyList<SnapshotFee> Snapshots, decimal SnapshotMonth,
    VendorFee? Vendor);

/// <summary>One owned snapshot of the image and a month of its capacity charge.</summary>
public sealed record SnapshotFee(string SnapshotId, long StoredBytes, Charge Month);

/// <summary>The Marketplace vendor's price per instance made from the image: hourly, and a month of it.</summary>
public sealed record VendorFee(string ProductCode, string Vendor, decimal HourlyPrice, Charge Month);
