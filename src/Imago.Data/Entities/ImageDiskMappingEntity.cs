namespace Imago.Data.Entities;

/// <summary>One disk of an image: index 0 is the system disk, 1..16 data disks. Key: (RegionId, ImageId, Index).</summary>
public sealed class ImageDiskMappingEntity
{
    public required string RegionId { get; set; }

    public required string ImageId { get; set; }

    public int Index { get; set; }

    /// <summary><c>system</c> or <c>data</c>.</summary>
    public required string Type { get; set; }

    /// <summary><c>/dev/xvda</c>, <c>/dev/xvdb</c>, ...</summary>
    public required string Device { get; set; }

    /// <summary>The snapshot holding the bytes; null for an empty data disk.</summary>
    public string? SnapshotId { get; set; }

    public int SizeGiB { get; set; }

    /// <summary>Import source format and location (ImportImage), empty otherwise.</summary>
    public string Format { get; set; } = "";

    public string ImportOssBucket { get; set; } = "";

    public string ImportOssObject { get; set; } = "";

    /// <summary>0-100 while copying or importing.</summary>
    public int Progress { get; set; } = 100;

    public int RemainTimeSeconds { get; set; }
}
