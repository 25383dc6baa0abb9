namespace Imago.Core.Exporting;

/// <summary>ExportImage's parameters as sent (validated by <see cref="ImageExportService"/>); RoleName is accepted and ignored.</summary>
public sealed record ExportImageRequest(
    string RegionId,
    string ImageId,
    string OssBucket,
    string? OssPrefix = null,
    string? ImageFormat = null,
    bool DryRun = false);
