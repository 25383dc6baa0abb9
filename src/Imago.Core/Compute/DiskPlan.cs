namespace Imago.Core.Compute;

/// <summary>
/// A disk to create: its shape, and the store snapshot its volume is cloned from (null: an empty volume).
/// One plan serves every instance of a RunInstances call; each gets its own disk id. ProductCode is the lineage:
/// the image's for disks of the image, the snapshot's for a disk from a snapshot, empty for an empty disk.
/// </summary>
internal sealed record DiskPlan(
    string Type,
    string Category,
    int SizeGiB,
    string Device,
    string? CloneFrom,
    string ImageId,
    bool DeleteWithInstance,
    string Name,
    string Description,
    string ProductCode = "");

/// <summary>What a validated launch request resolves to.</summary>
internal sealed record LaunchPlan(Data.Entities.ImageEntity Image, InstanceTypeInfo InstanceType, string ZoneId, IReadOnlyList<DiskPlan> Disks);
