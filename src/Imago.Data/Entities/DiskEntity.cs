namespace Imago.Data.Entities;

/// <summary>A cloud disk. Its bytes are the block-store volume with the same id in its region's store.</summary>
public sealed class DiskEntity
{
    /// <summary><c>d-...</c>; also the volume id in the block store and the NBD export name.</summary>
    public required string Id { get; set; }

    public long AccountId { get; set; }

    public required string RegionId { get; set; }

    public required string ZoneId { get; set; }

    public string Name { get; set; } = "";

    public string Description { get; set; } = "";

    /// <summary><c>system</c> or <c>data</c>.</summary>
    public required string Type { get; set; }

    public string Category { get; set; } = "cloud_essd";

    public int SizeGiB { get; set; }

    /// <summary><see cref="DiskStatuses"/>.</summary>
    public required string Status { get; set; }

    public string? InstanceId { get; set; }

    public string Device { get; set; } = "";

    public bool DeleteWithInstance { get; set; } = true;

    /// <summary>The image this disk was created from (system disks, and data disks from image mappings).</summary>
    public string ImageId { get; set; } = "";

    public string SourceSnapshotId { get; set; } = "";

    public string ProductCode { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public int Version { get; set; }
}

public static class DiskStatuses
{
    public const string Creating = "Creating";
    public const string Available = "Available";
    public const string InUse = "In_use";
    public const string ReIniting = "ReIniting";
}
