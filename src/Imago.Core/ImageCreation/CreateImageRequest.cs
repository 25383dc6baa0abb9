namespace Imago.Core.ImageCreation;

/// <summary>CreateImage's parameters as sent (validated by <see cref="ImageCreationService"/>).</summary>
/// <param name="DiskDeviceMappings">DiskDeviceMapping.N, in N order.</param>
public sealed record CreateImageRequest(
    string RegionId,
    string? InstanceId = null,
    string? SnapshotId = null,
    IReadOnlyList<DiskMappingRequest>? DiskDeviceMappings = null,
    string? ImageName = null,
    string? Description = null,
    string? ImageFamily = null,
    string? ImageVersion = null,
    string? Platform = null,
    string? Architecture = null,
    string? BootMode = null,
    string? ImdsSupport = null,
    IReadOnlyList<KeyValuePair<string, string>>? Tags = null,
    string? ClientToken = null,
    bool DryRun = false);

/// <summary>DiskDeviceMapping.N.{SnapshotId, Size, Device, DiskType}, as sent (Size in GiB, as text).</summary>
public sealed record DiskMappingRequest(int Index, string? SnapshotId, string? Size, string? Device, string? DiskType);
