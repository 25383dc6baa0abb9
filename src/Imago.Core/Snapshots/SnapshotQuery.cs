namespace Imago.Core.Snapshots;

/// <summary>DescribeSnapshots' filters (null: not filtered) and the page to return.</summary>
public sealed record SnapshotQuery(
    IReadOnlyList<string>? SnapshotIds = null,
    string? DiskId = null,
    string? InstanceId = null,
    string? SnapshotName = null,
    string? Status = null,
    string? SnapshotType = null,
    string? Usage = null,
    string? SourceDiskType = null,
    IReadOnlyList<KeyValuePair<string, string>>? Tags = null,
    bool? Encrypted = null,
    DateTime? CreatedFrom = null,
    DateTime? CreatedTo = null,
    Compute.PageRequest? Paging = null);

/// <summary>A snapshot as DescribeSnapshots shows it: the row, its computed Usage and its tags.</summary>
public sealed record SnapshotView(Data.Entities.SnapshotEntity Snapshot, string Usage, IReadOnlyList<KeyValuePair<string, string>> Tags);

/// <summary>DescribeSnapshots' Usage values.</summary>
public static class SnapshotUsages
{
    public const string Image = "image";
    public const string Disk = "disk";
    public const string ImageDisk = "image_disk";
    public const string None = "none";

    public static string Of(bool usedByImage, bool usedByDisk) =>
        usedByImage ? (usedByDisk ? ImageDisk : Image) : (usedByDisk ? Disk : None);
}
