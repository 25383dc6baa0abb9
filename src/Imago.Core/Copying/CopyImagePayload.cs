namespace Imago.Core.Copying;

/// <summary>A CopyImage task's payload: the copy, its source, and per disk the source snapshot and the destination's new one.</summary>
public sealed record CopyImagePayload(string ImageId, string SourceRegionId, string SourceImageId, IReadOnlyList<CopyDiskPlan> Disks);

/// <summary>
/// One disk of the copy. <paramref name="SourceSnapshotId"/> null: an empty data disk (nothing to transfer).
/// <paramref name="SnapshotId"/> is a new id of the destination region, under which the bytes are recorded there.
/// </summary>
public sealed record CopyDiskPlan(int Index, string? SourceSnapshotId, string? SnapshotId);
