using System.Globalization;
using Imago.Core.Errors;
using Imago.Core.ImageCreation;
using Imago.Core.Images;
using Imago.Formats;

namespace Imago.Core.Importing;

/// <summary>ImportImage's parameter rules: formats, sizes, OS attributes, and the plan of disks.</summary>
internal static class ImportImageRules
{
    /// <summary>Format: RAW, VHD, QCOW2 in any case; empty means detect (null).</summary>
    public static ImageFormat? Format(string? value, int index) =>
        string.IsNullOrEmpty(value) ? null
        : value.ToUpperInvariant() switch
        {
            "RAW" => ImageFormat.Raw,
            "VHD" => ImageFormat.Vhd,
            "QCOW2" => ImageFormat.Qcow2,
            _ => throw ImportErrors.FormatMalformed(index),
        };

    public static string FormatName(ImageFormat format) => format switch
    {
        ImageFormat.Raw => "RAW",
        ImageFormat.Vhd => "VHD",
        ImageFormat.Qcow2 => "QCOW2",
        _ => format.ToString().ToUpperInvariant(),
    };

    /// <summary>The image's name and description checked, and its attributes with the documented defaults.</summary>
    public static ImportAttributes Attributes(ImportImageRequest request)
    {
        _ = request.ImageName is { } name ? ImageNameRules.RequireValidName(name) : null;
        _ = request.Description is { } description ? ImageNameRules.RequireValidDescription(description) : null;
        var architecture = ImageAttributes.Architecture(request.Architecture) ?? "x86_64";
        // arm64 boots only with UEFI (reference 3.5): it is the default there, and BIOS is refused.
        var bootMode = BootMode(request.BootMode) ?? (architecture == "arm64" ? "UEFI" : "BIOS");
        if (architecture == "arm64" && bootMode != "UEFI")
        {
            throw EcsErrors.InvalidParameter("BootMode", "An arm64 image boots with UEFI only.");
        }

        return new ImportAttributes(
            Platform: ImageAttributes.Platform(request.Platform) ?? "Others Linux",
            Architecture: architecture,
            OSType: OSType(request.OSType),
            BootMode: bootMode,
            LicenseType: LicenseType(request.LicenseType));
    }

    private static string OSType(string? value) =>
        value is null ? "linux"
        : value.ToLowerInvariant() is "windows" or "linux" ? value.ToLowerInvariant()
        : throw ImportErrors.OsTypeMalformed();

    private static string? BootMode(string? value) =>
        value is null ? null
        : new[] { "BIOS", "UEFI" }.FirstOrDefault(b => b.Equals(value, StringComparison.OrdinalIgnoreCase)) ?? throw ImportErrors.BootModeMalformed();

    private static string LicenseType(string? value) =>
        value is null ? "Auto"
        : new[] { "Auto", "Aliyun", "BYOL" }.FirstOrDefault(l => l.Equals(value, StringComparison.OrdinalIgnoreCase)) ?? throw ImportErrors.LicenseTypeNotSupported();

    /// <summary>
    /// The disks in N order: N=1 (system) must name a bucket and an object; data disks follow, each needing both.
    /// Devices are assigned in order (/dev/xvda, /dev/xvdb, ...): Device is deprecated and ignored.
    /// </summary>
    public static IReadOnlyList<ImportDiskPlan> Plan(string regionId, IReadOnlyList<ImportDiskRequest> disks, Func<string, string> newSnapshotId)
    {
        var system = disks.FirstOrDefault(d => d.Index == 1);
        if (system?.OssBucket is null)
        {
            throw EcsErrors.MissingParameter("DiskDeviceMapping.1.OSSBucket");
        }

        if (system.OssObject is null)
        {
            throw EcsErrors.MissingParameter("DiskDeviceMapping.1.OSSObject");
        }

        var data = disks.Where(d => d.Index != 1).ToList();
        if (data.Count > ImportErrors.MaxDataDisks)
        {
            throw EcsErrors.InvalidParameter("DiskDeviceMapping", $"An image holds at most {ImportErrors.MaxDataDisks} data disks.");
        }

        var plans = new List<ImportDiskPlan>();
        foreach (var (disk, position) in new[] { system }.Concat(data).Select((d, i) => (d, i)))
        {
            var type = position == 0 ? "system" : "data";
            var bucket = disk.OssBucket ?? throw EcsErrors.MissingParameter($"DiskDeviceMapping.{disk.Index}.OSSBucket");
            var key = disk.OssObject ?? throw EcsErrors.MissingParameter($"DiskDeviceMapping.{disk.Index}.OSSObject");
            var format = Format(disk.Format, disk.Index);
            plans.Add(new ImportDiskPlan(disk.Index, bucket, key, format is { } f ? FormatName(f) : null, Size(disk, type), type,
                ImageSourcePlanner.DeviceName(position), newSnapshotId(regionId)));
        }

        return plans;
    }

    private static int? Size(ImportDiskRequest disk, string type) =>
        disk.DiskImageSize is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size is >= ImportErrors.MinSizeGiB and <= ImportErrors.MaxSizeGiB
            ? size
            : throw ImportErrors.SizeOutOfRange(type, disk.Index);
}

/// <summary>An imported image's attributes, defaults applied.</summary>
internal sealed record ImportAttributes(string Platform, string Architecture, string OSType, string BootMode, string LicenseType);
