namespace Imago.Data.Entities;

/// <summary>
/// An image in one region. Key: (RegionId, Id). Custom, copied and imported images have ids <c>m-...</c> unique
/// everywhere; a public image has the same id (e.g. <c>ubuntu_22_04_x64_20G_alibase_20240101.vhd</c>) in every
/// region, one row per region, because its bytes live in each region's block store.
/// </summary>
public sealed class ImageEntity
{
    public required string RegionId { get; set; }

    public required string Id { get; set; }

    /// <summary>Owner account; null for public (system) images.</summary>
    public long? OwnerAccountId { get; set; }

    /// <summary><see cref="ImageKinds"/>: public, custom, marketplace.</summary>
    public required string Kind { get; set; }

    public required string Name { get; set; }

    public string Description { get; set; } = "";

    public string Family { get; set; } = "";

    public string ImageVersion { get; set; } = "";

    /// <summary><see cref="ImageStatuses"/>.</summary>
    public required string Status { get; set; }

    /// <summary>0-100, shown as "NN%".</summary>
    public int Progress { get; set; }

    public string OSType { get; set; } = "linux";

    public string Platform { get; set; } = "Others Linux";

    public string OSName { get; set; } = "";

    public string OSNameEn { get; set; } = "";

    public string Architecture { get; set; } = "x86_64";

    public string BootMode { get; set; } = "BIOS";

    /// <summary>GiB of the system disk snapshot.</summary>
    public int SizeGiB { get; set; }

    public bool IsSupportCloudinit { get; set; } = true;

    public bool IsSupportIoOptimized { get; set; } = true;

    public bool IsCopied { get; set; }

    public string LicenseType { get; set; } = "";

    public string NvmeSupport { get; set; } = "unsupported";

    public string ImdsSupport { get; set; } = "v1";

    public string ResourceGroupId { get; set; } = "";

    /// <summary>Marketplace product code, carried into images derived from a marketplace image (fees follow it).</summary>
    public string ProductCode { get; set; } = "";

    /// <summary>Where this image came from, for copies and derived images: region and image id.</summary>
    public string? SourceRegionId { get; set; }

    public string? SourceImageId { get; set; }

    /// <summary>
    /// The image check's state (DescribeImages' DetectionOptions.Status): "" when none ran, else Processing or
    /// Finished. Import fills it from what it finds on the disks (partition table, file systems, /etc/os-release).
    /// </summary>
    public string DetectionStatus { get; set; } = "";

    /// <summary>The check's findings as a JSON array of {Name, Value, RiskCode, RiskLevel} (DetectionOptions.Items).</summary>
    public string DetectionItems { get; set; } = "";

    /// <summary>The task that fills this image (import, copy), if any.</summary>
    public string? TaskId { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Optimistic concurrency: bumped on every change (portable across SQLite and PostgreSQL).</summary>
    public int Version { get; set; }

    public List<ImageDiskMappingEntity> DiskMappings { get; set; } = [];
}

public static class ImageKinds
{
    public const string Public = "public";
    public const string Custom = "custom";
    public const string Marketplace = "marketplace";
}

public static class ImageStatuses
{
    public const string Creating = "Creating";
    public const string Waiting = "Waiting";
    public const string Available = "Available";
    public const string UnAvailable = "UnAvailable";
    public const string CreateFailed = "CreateFailed";
    public const string Deprecated = "Deprecated";

    public static readonly IReadOnlyList<string> All = [Creating, Waiting, Available, UnAvailable, CreateFailed, Deprecated];
}
