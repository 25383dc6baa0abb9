namespace Imago.Formats;

/// <summary>
/// Every disk image format the engine recognises. Only <see cref="Raw"/>, <see cref="Qcow2"/> and
/// <see cref="Vhd"/> are accepted; the others are recognised so that they can be refused by name
/// with advice to convert, instead of being mistaken for raw data.
/// </summary>
public enum ImageFormat
{
    Raw,
    Qcow2,
    /// <summary>Microsoft Virtual PC / Hyper-V VHD (qemu calls it "vpc").</summary>
    Vhd,
    Vhdx,
    Vmdk,
    Vdi,
    Qed,
    Iso,
    Luks,
}

public static class ImageFormatNames
{
    /// <summary>The name qemu-img uses for the format (its -f/-O argument and the "format" field of info).</summary>
    public static string QemuName(this ImageFormat format) => format switch
    {
        ImageFormat.Raw => "raw",
        ImageFormat.Qcow2 => "qcow2",
        ImageFormat.Vhd => "vpc",
        ImageFormat.Vhdx => "vhdx",
        ImageFormat.Vmdk => "vmdk",
        ImageFormat.Vdi => "vdi",
        ImageFormat.Qed => "qed",
        ImageFormat.Iso => "iso",
        ImageFormat.Luks => "luks",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>The name people use for the format in messages (VHD rather than vpc).</summary>
    public static string DisplayName(this ImageFormat format) => format switch
    {
        ImageFormat.Raw => "RAW",
        ImageFormat.Qcow2 => "qcow2",
        ImageFormat.Vhd => "VHD",
        ImageFormat.Vhdx => "VHDX",
        ImageFormat.Vmdk => "VMDK",
        ImageFormat.Vdi => "VDI",
        ImageFormat.Qed => "QED",
        ImageFormat.Iso => "ISO 9660/UDF",
        ImageFormat.Luks => "LUKS",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>True for the formats the service accepts as disk images.</summary>
    public static bool IsAccepted(this ImageFormat format) =>
        format is ImageFormat.Raw or ImageFormat.Qcow2 or ImageFormat.Vhd;

    /// <summary>Parses a user-supplied format name: qemu's names plus "vhd" (case-insensitive).</summary>
    public static bool TryParse(string? name, out ImageFormat format)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "raw": format = ImageFormat.Raw; return true;
            case "qcow2": format = ImageFormat.Qcow2; return true;
            case "vpc" or "vhd": format = ImageFormat.Vhd; return true;
            case "vhdx": format = ImageFormat.Vhdx; return true;
            case "vmdk": format = ImageFormat.Vmdk; return true;
            case "vdi": format = ImageFormat.Vdi; return true;
            case "qed": format = ImageFormat.Qed; return true;
            case "iso": format = ImageFormat.Iso; return true;
            case "luks": format = ImageFormat.Luks; return true;
            default: format = default; return false;
        }
    }
}
