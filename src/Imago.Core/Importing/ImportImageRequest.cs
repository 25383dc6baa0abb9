namespace Imago.Core.Importing;

/// <summary>ImportImage's parameters as sent (validated by <see cref="ImageImportService"/>).</summary>
/// <param name="Disks">DiskDeviceMapping.N, in N order (N=1 is the system disk).</param>
public sealed record ImportImageRequest(
    string RegionId,
    IReadOnlyList<ImportDiskRequest> Disks,
    string? ImageName = null,
    string? Description = null,
    string? Architecture = null,
    string? OSType = null,
    string? Platform = null,
    string? BootMode = null,
    string? LicenseType = null,
    IReadOnlyList<KeyValuePair<string, string>>? Tags = null,
    string? ClientToken = null,
    bool DryRun = false);

/// <summary>DiskDeviceMapping.N.{OSSBucket, OSSObject, Format, DiskImageSize, Device}, as sent (DiskImageSize in GiB, as text).</summary>
public sealed record ImportDiskRequest(int Index, string? OssBucket, string? OssObject, string? Format, string? DiskImageSize, string? Device);
