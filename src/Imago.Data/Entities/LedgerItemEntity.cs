namespace Imago.Data.Entities;

/// <summary>
/// One charge: a billing item of one usage interval for one hour, prorated by the seconds of the interval inside
/// the hour. Unique per (interval, hour, item), so accruing an hour twice (a restart, a second server) fails
/// instead of billing twice.
/// </summary>
public sealed class LedgerItemEntity
{
    public long Id { get; set; }

    public long IntervalId { get; set; }

    /// <summary>The start of the hour (UTC, on the hour).</summary>
    public DateTime HourStart { get; set; }

    /// <summary><see cref="LedgerItems"/>.</summary>
    public required string Item { get; set; }

    public long AccountId { get; set; }

    /// <summary>YYYY-MM of <see cref="HourStart"/>: the bill the item belongs to.</summary>
    public required string BillingCycle { get; set; }

    public required string RegionId { get; set; }

    public required string ResourceType { get; set; }

    public required string ResourceId { get; set; }

    public string InstanceType { get; set; } = "";

    public string ProductCode { get; set; } = "";

    public decimal Quantity { get; set; }

    public required string Unit { get; set; }

    public decimal UnitPrice { get; set; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    /// <summary>The part of the hour the interval covered.</summary>
    public DateTime PeriodStart { get; set; }

    public DateTime PeriodEnd { get; set; }
}

public static class LedgerItems
{
    /// <summary>The instance type's hourly price from the price book.</summary>
    public const string InstanceType = "InstanceType";

    /// <summary>The Marketplace vendor's hourly price for the image in the instance's system-disk ancestry.</summary>
    public const string ImageFee = "ImageFee";

    /// <summary>Snapshot capacity per GiB-month from the price book.</summary>
    public const string SnapshotCapacity = "SnapshotCapacity";
}
