namespace Imago.Core.Exporting;

/// <summary>
/// What the ExportImage task needs to run (or run again from scratch): the image, the bucket, the format, and per
/// disk the store snapshot to read and the object key to write (named up front, so a cleanup knows what to delete).
/// </summary>
/// <param name="Format">raw, vhd or qcow2.</param>
public sealed record ExportImagePayload(string ImageId, string Bucket, string Format, IReadOnlyList<ExportDiskPlan> Disks);

/// <param name="Type">system or data.</param>
/// <param name="Device">The disk's device, e.g. /dev/xvdb (data objects are named after it).</param>
public sealed record ExportDiskPlan(string SnapshotId, string Type, string Device, string Key);
