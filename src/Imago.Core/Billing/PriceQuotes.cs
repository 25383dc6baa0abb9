using Imago.Core.Compute;
using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Core.Regions;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Billing;

/// <summary>
/// DescribePrice: what RunInstances with these parameters would cost, from the same price book and vendor prices
/// the metering job bills with (<see cref="Charges"/>), so a quote for one hour equals the bill of a full hour.
/// </summary>
public sealed class PriceQuotes(ImagoDatabase database, RegionCatalog regions, InstanceTypeCatalog instanceTypes, PriceBook prices)
{
    public const int MaxAmount = 1000;
    public const int MaxPeriod = 1000;
    public const int MaxDataDisks = 16;

    public async Task<PriceQuote> QuoteAsync(Caller caller, PriceQuoteRequest request, CancellationToken cancellationToken)
    {
        regions.Require(request.RegionId);
        if (request.ResourceType is { } type && type != "instance")
        {
            throw EcsErrors.InvalidParameter("ResourceType", "Only instance is priced by this service.");
        }

        var hoursPerUnit = request.PriceUnit switch
        {
            null or "Hour" => 1,
            "Month" => prices.HoursPerMonth,
            "Year" => prices.HoursPerMonth * 12,
            _ => throw EcsErrors.InvalidParameter("PriceUnit", "Valid values: Hour, Month, Year."),
        };
        var period = request.Period ?? 1;
        if (period is < 1 or > MaxPeriod)
        {
            throw EcsErrors.InvalidParameter("Period", $"It must be 1-{MaxPeriod}.");
        }

        var amount = request.Amount ?? 1;
        if (amount is < 1 or > MaxAmount)
        {
            throw EcsErrors.InvalidParameter("Amount", $"It must be 1-{MaxAmount}.");
        }

        CheckDisks(request);
        var instanceType = request.InstanceType is { Length: > 0 } id
            ? instanceTypes.Find(id) ?? throw ComputeErrors.InstanceTypeNotSupported()
            : throw EcsErrors.MissingParameter("InstanceType");
        var regionPrices = prices.For(request.RegionId);
        var hourly = prices.InstanceHourly(request.RegionId, instanceType.InstanceTypeId) ?? throw ComputeErrors.InstanceTypeNotSupported();
        var hours = (decimal)hoursPerUnit * period * amount;
        var instancePrice = Charges.Hourly(LedgerItems.InstanceType, hours * 3600m, hourly, regionPrices!.Currency).Amount;
        var details = new List<QuoteDetail> { new("instanceType", instancePrice), new("systemDisk", 0) };
        if (request.DataDisks.Count > 0)
        {
            details.Add(new QuoteDetail("dataDisk", 0));
        }

        var marketplace = request.ImageId is { } imageId
            ? await MarketplaceQuoteAsync(caller, request.RegionId, imageId, hours, cancellationToken).ConfigureAwait(false)
            : null;
        return new PriceQuote(regionPrices.Currency, instancePrice, details, marketplace);
    }

    /// <summary>The vendor's price when the image descends from a Marketplace product; null for free images.</summary>
    private async Task<MarketplaceQuote?> MarketplaceQuoteAsync(Caller caller, string regionId, string imageId, decimal hours, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var image = await ImageAccess.Visible(db, caller, regionId).AsNoTracking().FirstOrDefaultAsync(i => i.Id == imageId, cancellationToken).ConfigureAwait(false)
            ?? throw EcsErrors.ImageNotFound(imageId);
        if (image.ProductCode.Length == 0)
        {
            return null;
        }

        var product = await db.MarketplaceProducts.AsNoTracking().FirstOrDefaultAsync(p => p.ProductCode == image.ProductCode, cancellationToken).ConfigureAwait(false);
        return product is null
            ? null
            : new MarketplaceQuote(product.ProductCode, product.Currency, Charges.Hourly(LedgerItems.ImageFee, hours * 3600m, product.HourlyPrice, product.Currency).Amount);
    }

    private static void CheckDisks(PriceQuoteRequest request)
    {
        if (request.SystemDisk is { } system)
        {
            if (system.Category is { } category && !DiskCategories.IsValid(category))
            {
                throw ComputeErrors.SystemDiskCategoryNotSupported();
            }

            if (system.SizeGiB is { } size && size is < DiskCategories.MinSystemDiskGiB or > DiskCategories.MaxSystemDiskGiB)
            {
                throw ComputeErrors.SystemDiskSizeNotSupported();
            }
        }

        if (request.DataDisks.Count > MaxDataDisks)
        {
            throw EcsErrors.InvalidParameter("DataDisk", $"At most {MaxDataDisks} data disks.");
        }

        foreach (var (disk, index) in request.DataDisks.Select((d, i) => (d, i + 1)))
        {
            var category = disk.Category ?? DiskCategories.DataDefault;
            if (!DiskCategories.IsValid(category))
            {
                throw ComputeErrors.DataDiskCategoryNotSupported(index);
            }

            var (min, max) = DiskCategories.DataDiskSizeRange(category);
            if (disk.SizeGiB is { } size && (size < min || size > max))
            {
                throw ComputeErrors.DataDiskSizeNotSupported(index);
            }
        }
    }
}
