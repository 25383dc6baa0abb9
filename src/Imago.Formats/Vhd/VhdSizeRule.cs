namespace Imago.Formats.Vhd;

/// <summary>
/// Which size a VHD has. Virtual PC reads the CHS geometry, Hyper-V and most other tools read current_size,
/// and the two often disagree. We follow qemu (vpc_open in block/vpc.c) so that our virtual size always
/// equals qemu-img's: current_size for the creators known to use it and for the maximum geometry, CHS otherwise.
/// </summary>
internal static class VhdSizeRule
{
    /// <summary>Creator apps whose images are sized by current_size: Hyper-V, qemu with force_size, Disk2vhd, XenConverter, XenServer.</summary>
    private static readonly byte[][] CurrentSizeCreators =
    [
        "win "u8.ToArray(),
        "qem2"u8.ToArray(),
        "d2v "u8.ToArray(),
        "CTXS"u8.ToArray(),
        "tap\0"u8.ToArray(),
    ];

    public static bool UsesCurrentSize(VhdFooter footer) =>
        footer.Geometry.IsMaximum || CurrentSizeCreators.Any(app => app.AsSpan().SequenceEqual(footer.CreatorApp));

    /// <summary>The virtual size in bytes (whole sectors), or throws when it exceeds 2040 GiB as qemu does.</summary>
    public static long VirtualSize(VhdFooter footer)
    {
        var sectors = UsesCurrentSize(footer)
            ? (long)Math.Min(footer.CurrentSize / VhdConstants.SectorSize, (ulong)long.MaxValue / VhdConstants.SectorSize)
            : footer.Geometry.TotalSectors;
        if (sectors > VhdConstants.MaxSectors)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"VHD image declares {sectors * (decimal)VhdConstants.SectorSize} bytes; the VHD limit is 2040 GiB", ImageFormat.Vhd);
        }

        return sectors * VhdConstants.SectorSize;
    }
}
