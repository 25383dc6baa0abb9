namespace Imago.Data.Entities;

/// <summary>An instance: a record plus its disks (volumes in the region's block store, served over NBD).</summary>
public sealed class InstanceEntity
{
    /// <summary><c>i-...</c></summary>
    public required string Id { get; set; }

    public long AccountId { get; set; }

    public required string RegionId { get; set; }

    public required string ZoneId { get; set; }

    public required string Name { get; set; }

    public string Description { get; set; } = "";

    public string HostName { get; set; } = "";

    public required string InstanceType { get; set; }

    /// <summary>The image of the current system disk.</summary>
    public required string ImageId { get; set; }

    /// <summary>The Marketplace product in the current system disk's ancestry ("" when none): the vendor's price is billed for it.</summary>
    public string ProductCode { get; set; } = "";

    /// <summary><see cref="InstanceStatuses"/>.</summary>
    public required string Status { get; set; }

    public string OSType { get; set; } = "linux";

    public string OSName { get; set; } = "";

    public string OSNameEn { get; set; } = "";

    public string InstanceChargeType { get; set; } = "PostPaid";

    public DateTime CreatedAt { get; set; }

    public int Version { get; set; }
}

public static class InstanceStatuses
{
    public const string Pending = "Pending";
    public const string Starting = "Starting";
    public const string Running = "Running";
    public const string Stopping = "Stopping";
    public const string Stopped = "Stopped";
}
