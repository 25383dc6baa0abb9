namespace Imago.Data.Entities;

/// <summary>
/// A span of time during which one billable thing existed unchanged: an instance (its type and the Marketplace
/// product of its system disk) or a snapshot's stored capacity. Written in the same transaction as the change
/// that starts or ends it; the metering job turns it into hourly ledger items (docs/billing.md).
/// </summary>
public sealed class UsageIntervalEntity
{
    public long Id { get; set; }

    /// <summary>Who pays: the instance's or the snapshot's owner.</summary>
    public long AccountId { get; set; }

    public required string RegionId { get; set; }

    /// <summary><see cref="UsageResourceTypes"/>.</summary>
    public required string ResourceType { get; set; }

    public required string ResourceId { get; set; }

    /// <summary>The instance type (instances); "" for snapshots.</summary>
    public string InstanceType { get; set; } = "";

    /// <summary>The Marketplace product whose vendor price applies ("" when none).</summary>
    public string ProductCode { get; set; } = "";

    /// <summary>The vendor's price per instance-hour when the interval started (0 without a product).</summary>
    public decimal VendorHourlyPrice { get; set; }

    /// <summary>The vendor's currency ("" without a product).</summary>
    public string VendorCurrency { get; set; } = "";

    /// <summary>The snapshot's stored bytes (snapshots); 0 for instances.</summary>
    public long StoredBytes { get; set; }

    public DateTime StartedAt { get; set; }

    /// <summary>Null while the resource exists unchanged.</summary>
    public DateTime? EndedAt { get; set; }

    /// <summary>Every hour before this (an hour boundary) has its ledger items.</summary>
    public DateTime AccruedUntil { get; set; }

    /// <summary>True once the interval has ended and all its hours are in the ledger.</summary>
    public bool Settled { get; set; }

    public int Version { get; set; }
}

public static class UsageResourceTypes
{
    public const string Instance = "instance";
    public const string Snapshot = "snapshot";
}
