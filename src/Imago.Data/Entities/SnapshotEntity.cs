namespace Imago.Data.Entities;

/// <summary>A snapshot. Its bytes are the block-store snapshot with the same id in its region's store.</summary>
public sealed class SnapshotEntity
{
    /// <summary><c>s-...</c>; also the snapshot id in the block store.</summary>
    public required string Id { get; set; }

    /// <summary>Owner; null for the snapshots behind public images.</summary>
    public long? AccountId { get; set; }

    public required string RegionId { get; set; }

    public string Name { get; set; } = "";

    public string Description { get; set; } = "";

    /// <summary><see cref="SnapshotStatuses"/>.</summary>
    public required string Status { get; set; }

    public int Progress { get; set; }

    public string SourceDiskId { get; set; } = "";

    /// <summary><c>system</c> or <c>data</c>.</summary>
    public string SourceDiskType { get; set; } = "system";

    public int SourceDiskSizeGiB { get; set; }

    /// <summary><c>user</c> or <c>auto</c>.</summary>
    public string SnapshotType { get; set; } = "user";

    public int? RetentionDays { get; set; }

    public string ProductCode { get; set; } = "";

    /// <summary>The image the source disk was created from: images made from this snapshot inherit its OS and lineage.</summary>
    public string DiskImageId { get; set; } = "";

    /// <summary>Bytes of stored data the snapshot refers to (FullSnapshotSizeInBytes): the capacity billed.</summary>
    public long StoredBytes { get; set; }

    /// <summary>For snapshots made by CopyImage: where the bytes came from.</summary>
    public string? SourceRegionId { get; set; }

    public string? SourceSnapshotId { get; set; }

    public DateTime CreatedAt { get; set; }

    public int Version { get; set; }
}

public static class SnapshotStatuses
{
    public const string Progressing = "progressing";
    public const string Accomplished = "accomplished";
    public const string Failed = "failed";
}
