namespace Imago.Formats.Vhd;

/// <summary>The footer's CHS geometry: cylinders, heads, sectors per track.</summary>
internal readonly record struct VhdGeometry(ushort Cylinders, byte Heads, byte SectorsPerTrack)
{
    /// <summary>65535 x 16 x 255: the largest geometry, which tells readers to use current_size instead.</summary>
    public static VhdGeometry Maximum { get; } = new(65535, 16, 255);

    public static long MaximumSectors => Maximum.TotalSectors;

    public long TotalSectors => (long)Cylinders * Heads * SectorsPerTrack;

    public bool IsMaximum => TotalSectors == MaximumSectors;

    public override string ToString() => $"{Cylinders}/{Heads}/{SectorsPerTrack}";

    /// <summary>
    /// The geometry for a sector count, by the algorithm of the VHD specification as qemu implements it
    /// (calculate_geometry in block/vpc.c): the result may describe fewer sectors than asked for.
    /// </summary>
    public static VhdGeometry FromSectors(long totalSectors)
    {
        totalSectors = Math.Clamp(totalSectors, 0, MaximumSectors);
        int sectorsPerTrack;
        int heads;
        long cylindersTimesHeads;
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
            heads = (int)Math.Max(4, (cylindersTimesHeads + 1023) / 1024);
            if (cylindersTimesHeads >= heads * 1024L || heads > 16)
            {
                sectorsPerTrack = 31;
                heads = 16;
                cylindersTimesHeads = totalSectors / sectorsPerTrack;
            }

            if (cylindersTimesHeads >= heads * 1024L)
            {
                sectorsPerTrack = 63;
                heads = 16;
                cylindersTimesHeads = totalSectors / sectorsPerTrack;
            }
        }

        return new VhdGeometry((ushort)(cylindersTimesHeads / heads), (byte)heads, (byte)sectorsPerTrack);
    }

    /// <summary>
    /// The smallest geometry that holds at least <paramref name="totalSectors"/>, as qemu searches for it when it
    /// creates an image without force_size (calculate_rounded_image_size). Above what CHS can describe the
    /// result is <see cref="Maximum"/>.
    /// </summary>
    public static VhdGeometry RoundUp(long totalSectors)
    {
        totalSectors = Math.Min(totalSectors, MaximumSectors);
        var geometry = new VhdGeometry(0, 0, 0);
        // qemu tries one more sector at a time; a cylinder is at most 16 x 255 sectors, so this ends quickly.
        for (long extra = 0; totalSectors > geometry.TotalSectors; extra++)
        {
            geometry = FromSectors(totalSectors + extra);
        }

        return geometry;
    }
}
