namespace Imago.Core.Importing;

/// <summary>
/// What the ImportImage task needs to run (or run again from scratch): the image and, per disk, where its bytes
/// come from and the snapshot id they go to (chosen up front, so a cleanup always knows what to delete).
/// </summary>
public sealed record ImportImagePayload(string ImageId, IReadOnlyList<ImportDiskPlan> Disks);

/// <param name="Format">The declared format (raw, qcow2, vhd) or null to detect.</param>
/// <param name="SizeGiB">DiskImageSize, or null for the disk's virtual size.</param>
/// <param name="Type">system or data.</param>
public sealed record ImportDiskPlan(int Index, string Bucket, string Key, string? Format, int? SizeGiB, string Type, string Device, string SnapshotId);
