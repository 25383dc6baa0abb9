namespace Imago.Core.Billing;

/// <summary>QueryInstanceBill's parameters.</summary>
/// <param name="BillingCycle">YYYY-MM.</param>
/// <param name="ProductCode">ecs, snapshot or market (the BSS product code); null: all.</param>
/// <param name="IsBillingItem">One line per resource and billing item instead of one per resource.</param>
public sealed record BillQuery(string BillingCycle, int PageNum, int PageSize, string? ProductCode, bool IsBillingItem);

/// <summary>One line of the bill: a resource (and, with IsBillingItem, one of its billing items) over the month.</summary>
/// <param name="BillingItem">The ledger item (InstanceType, ImageFee, SnapshotCapacity); null without IsBillingItem.</param>
/// <param name="CommodityCode">The Marketplace product code for ImageFee lines, else the product code.</param>
public sealed record BillLine(
    string ResourceId,
    string ResourceType,
    string RegionId,
    string ProductCode,
    string CommodityCode,
    string InstanceSpec,
    string? BillingItem,
    decimal? ListPrice,
    string? ListPriceUnit,
    decimal? Usage,
    string? UsageUnit,
    decimal Amount,
    string Currency,
    DateTime UsageStart,
    DateTime UsageEnd,
    long ServiceSeconds);

public sealed record BillPage(string BillingCycle, long AccountId, int TotalCount, int PageNum, int PageSize, IReadOnlyList<BillLine> Lines);
