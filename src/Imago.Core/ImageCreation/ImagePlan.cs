using Imago.Data.Entities;

namespace Imago.Core.ImageCreation;

/// <summary>One disk of the image to create: an existing snapshot, a disk to snapshot now, or an empty data disk.</summary>
internal sealed record PlannedMapping(string Type, string Device, int SizeGiB, string? SnapshotId, DiskEntity? DiskToSnapshot);

/// <summary>
/// What CreateImage will build, resolved from its source before anything is written.
/// <paramref name="ReferencedSnapshots"/> are tracked rows of existing snapshots the image will map (their Version
/// is bumped so a concurrent DeleteSnapshot loses); <paramref name="Parent"/> is the image the source disk came
/// from, whose OS attributes and marketplace lineage the new image inherits.
/// </summary>
internal sealed record ImagePlan(
    IReadOnlyList<PlannedMapping> Mappings,
    IReadOnlyList<SnapshotEntity> ReferencedSnapshots,
    ImageEntity? Parent,
    string ProductCode);
