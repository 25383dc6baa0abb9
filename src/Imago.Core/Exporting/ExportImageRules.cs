using Imago.Data.Entities;
using Imago.Formats;

namespace Imago.Core.Exporting;

/// <summary>ExportImage's parameter rules and how the exported objects are named (docs/api.md "Exporting").</summary>
public static class ExportImageRules
{
    public const int MaxPrefixLength = 30;

    /// <summary>OSSPrefix: absent, or 1-30 ASCII letters and digits.</summary>
    public static string? Prefix(string? value) =>
        value is null ? null
        : value.Length <= MaxPrefixLength && value.All(char.IsAsciiLetterOrDigit) ? value
        : throw ExportErrors.PrefixMalformed();

    /// <summary>ImageFormat in any case, raw by default; vmdk, vdi and anything else are refused with the advice to choose raw, vhd or qcow2.</summary>
    public static string Format(string? value) =>
        value is null ? "raw"
        : value.ToLowerInvariant() is "raw" or "vhd" or "qcow2" ? value.ToLowerInvariant()
        : throw ExportErrors.FormatMalformed(value);

    /// <summary>The format engine's writer for a format name <see cref="Format"/> accepted.</summary>
    public static ImageFormat EngineFormat(string format) => format switch
    {
        "vhd" => ImageFormat.Vhd,
        "qcow2" => ImageFormat.Qcow2,
        _ => ImageFormat.Raw,
    };

    /// <summary>
    /// The object of one disk, as the real service names it: <c>[PREFIX_]IMAGEID_system.EXT</c> for the system disk and
    /// <c>[PREFIX_]IMAGEID_data_DEVICE.EXT</c> for a data disk, DEVICE being its device's name (xvdb, xvdc, ...).
    /// </summary>
    public static string ObjectKey(string? prefix, string imageId, string type, string device, string format)
    {
        var disk = type == "system" ? "system" : "data_" + Path.GetFileName(device);
        return $"{(prefix is null ? "" : prefix + "_")}{imageId}_{disk}.{format}";
    }

    /// <summary>
    /// One disk plan per mapping that holds a snapshot, system disk first. A data disk without a snapshot (an empty
    /// disk the image only describes) has no bytes to export. More than 4 data disk snapshots, or one larger than
    /// 500 GiB, is refused as documented.
    /// </summary>
    public static IReadOnlyList<ExportDiskPlan> Plan(ImageEntity image, string? prefix, string format)
    {
        var disks = image.DiskMappings.Where(m => m.SnapshotId is not null).OrderBy(m => m.Index).ToList();
        var data = disks.Where(m => m.Type != "system").ToList();
        if (disks.Count == 0 || data.Count > ExportErrors.MaxDataDisks || data.Any(m => m.SizeGiB > ExportErrors.MaxDataDiskGiB))
        {
            throw ExportErrors.DiskAmountOrSize();
        }

        return [.. disks.Select(m => new ExportDiskPlan(m.SnapshotId!, m.Type, m.Device, ObjectKey(prefix, image.Id, m.Type, m.Device, format)))];
    }
}
