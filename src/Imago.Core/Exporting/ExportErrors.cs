using Imago.Core.Errors;

namespace Imago.Core.Exporting;

/// <summary>ExportImage's own errors, with the reference's codes and statuses (ecs-api.md 3.6) and the decisions in docs/api.md "Exporting".</summary>
public static class ExportErrors
{
    public const string TaskKind = "ExportImage";

    /// <summary>The documented limits on the data disks an exported image may hold.</summary>
    public const int MaxDataDisks = 4;

    public const int MaxDataDiskGiB = 500;

    public static EcsException PrefixMalformed() =>
        new("InvalidOSSPrefix.Malformed", "The specified OSSPrefix is not valid: 1 to 30 letters and digits.", 400);

    public static EcsException FormatMalformed(string format) =>
        new("InvalidImageFormat.Malformed", $"The specified ImageFormat \"{EcsErrors.Printable(format)}\" is not supported: choose raw, vhd or qcow2.", 400);

    public static EcsException MarketplaceImage() =>
        new("ImageNotSupported", "The specified image from the image market, do not support export image.", 403);

    /// <summary>The reference documents 400 for ExportImage (other image actions answer 403).</summary>
    public static EcsException IncorrectStatus() =>
        new("IncorrectImageStatus", "The current status of the image does not support this operation: only an Available image can be exported.", 400);

    public static EcsException IsExporting() =>
        new("ImageIsExporting", "The specified image is already being exported.", 403);

    public static EcsException BucketNotFound(string bucket) =>
        new("InvalidOSSBucket.NotFound", $"The specified OSS bucket \"{EcsErrors.Printable(bucket)}\" does not exist in this region.", 400);

    public static EcsException DiskAmountOrSize() =>
        new("InvalidImage.DiskAmountOrSize", $"The specified image cannot be exported: it may hold at most {MaxDataDisks} data disk snapshots "
            + $"of at most {MaxDataDiskGiB} GiB each.", 400);

    public static EcsException Failed(string message) => new("ExportImageFailed", message, 403);
}
