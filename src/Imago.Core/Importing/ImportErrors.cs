using Imago.Core.Errors;
using Imago.Formats;

namespace Imago.Core.Importing;

/// <summary>ImportImage's own errors, with the reference's codes and statuses (ecs-api.md 3.5).</summary>
public static class ImportErrors
{
    public const string TaskKind = "ImportImage";

    public static EcsException FormatMalformed(int index) =>
        new("InvalidImageFormat.Malformed", $"The specified DiskDeviceMapping.{index}.Format is not valid: RAW, VHD or QCOW2 (or empty to detect).", 400);

    public static EcsException OsTypeMalformed() =>
        new("InvalidOSType.Malformed", "The specified OSType is not valid: windows or linux.", 400);

    public static EcsException LicenseTypeNotSupported() =>
        new("InvalidLicenseType.NotSupported", "The specified LicenseType is not supported: Auto, Aliyun or BYOL.", 400);

    public static EcsException BootModeMalformed() =>
        EcsErrors.InvalidParameter("BootMode", "Valid values: BIOS, UEFI.");

    public static EcsException SizeOutOfRange(string type, int index) => type == "system"
        ? new("InvalidImageSize", $"The specified DiskDeviceMapping.{index}.DiskImageSize is not valid: the system disk must be {MinSizeGiB}-{MaxSizeGiB} GiB and not smaller than the image's virtual size.", 400)
        : new("InvalidDataDiskSize", $"The specified DiskDeviceMapping.{index}.DiskImageSize is not valid: a data disk must be {MinSizeGiB}-{MaxSizeGiB} GiB and not smaller than the image's virtual size.", 400);

    public static EcsException BucketNotFound(string bucket) =>
        new("InvalidOSSBucket.NotFound", $"The specified OSS bucket \"{EcsErrors.Printable(bucket)}\" does not exist in this region.", 400);

    public static EcsException ObjectNotFound(string key) =>
        new("InvalidOSSObject.NotFound", $"The specified OSS object \"{EcsErrors.Printable(key)}\" does not exist.", 400);

    public static EcsException ObjectMalformed(int index) =>
        new("InvalidOSSObject.Malformed", $"The specified DiskDeviceMapping.{index}.OSSObject is not a valid object key.", 400);

    public static EcsException Failed(string message) => new("ImportImageFailed", message, 403);

    /// <summary>
    /// The format engine's refusal as the task's failure: an unsupported or mismatched format is
    /// InvalidImageFormat.Malformed (the engine's message carries the advice to convert to raw, qcow2 or VHD);
    /// hostile, corrupt, truncated or oversized content is ImportImageFailed.
    /// </summary>
    public static EcsException Refused(int index, ImageFormatException error) => error.Kind switch
    {
        ImageErrorKind.UnsupportedFormat or ImageErrorKind.FormatMismatch =>
            new("InvalidImageFormat.Malformed", $"DiskDeviceMapping.{index}: {error.Message}", 400),
        _ => new("ImportImageFailed", $"DiskDeviceMapping.{index}: {error.Message}", 403),
    };

    public const int MinSizeGiB = 1;

    public const int MaxSizeGiB = 2048;

    public const int MaxDataDisks = 16;
}
