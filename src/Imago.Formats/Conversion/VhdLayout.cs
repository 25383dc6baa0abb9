namespace Imago.Formats.Conversion;

/// <summary>
/// VHD space arithmetic for measure, after the layout qemu's vpc driver creates (block/vpc.c): footer copy,
/// dynamic header, sector-padded BAT, then per block a 512-byte bitmap and the block; the footer at the end.
/// </summary>
internal static class VhdLayout
{
    public const int FooterSize = 512;
    private const int DynamicHeaderSize = 1024;
    public const int BlockSize = 2 << 20; // qemu's default and only block size for new images
    private const int BitmapSize = 512; // BlockSize / 512 sectors / 8 bits, sector-padded
    public const long StoredBlockSize = BlockSize + BitmapSize;
    private const long MaxSectors = 0xff000000; // 2040 GiB
    private const long MaxGeometry = 65535L * 16 * 255;

    public static long DynamicMetadataSize(long blocks) =>
        FooterSize + DynamicHeaderSize + ImageMeasurer.AlignUp(blocks * 4, 512) + FooterSize;

    /// <summary>
    /// The disk size qemu gives a new VHD: rounded up to a CHS geometry unless <paramref name="forceSize"/>,
    /// or exact when the geometry is the maximum.
    /// </summary>
    public static long DiskSize(long size, bool forceSize)
    {
        var sectors = size / 512;
        if (!forceSize)
        {
            var geometry = 0L;
            for (var i = 0L; sectors > geometry; i++)
            {
                geometry = Geometry(sectors + i);
            }

            if (geometry != MaxGeometry)
            {
                sectors = geometry;
            }
        }

        if (sectors > MaxSectors)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge, "Disk size is too large, max size is 2040 GiB");
        }

        return sectors * 512;
    }

    /// <summary>cylinders * heads * sectors per track for a disk of <paramref name="totalSectors"/> (the VHD spec's algorithm).</summary>
    private static long Geometry(long totalSectors)
    {
        totalSectors = Math.Min(totalSectors, MaxGeometry);
        long sectorsPerTrack, heads, cylindersTimesHeads;
        if (totalSectors >= 65535L * 16 * 63)
        {
            sectorsPerTrack = 255;
            heads = 16;
            cylindersTimesHeads = totalSectors / sectorsPerTrack;
        }
        else
        {
            sectorsPerTrack = 17;
            cylindersTimesHeads = totalSectors / sectorsPerTrack;
            heads = Math.Max(4, (cylindersTimesHeads + 1023) / 1024);
            if (cylindersTimesHeads >= heads * 1024 || heads > 16)
            {
                sectorsPerTrack = 31;
                heads = 16;
                cylindersTimesHeads = totalSectors / sectorsPerTrack;
            }

            if (cylindersTimesHeads >= heads * 1024)
            {
                sectorsPerTrack = 63;
                heads = 16;
                cylindersTimesHeads = totalSectors / sectorsPerTrack;
            }
        }

        var cylinders = cylindersTimesHeads / heads;
        return cylinders * heads * sectorsPerTrack;
    }
}
