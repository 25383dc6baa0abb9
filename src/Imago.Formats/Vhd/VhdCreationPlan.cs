namespace Imago.Formats.Vhd;

/// <summary>
/// The size, geometry and footer of a VHD we are about to create, decided the way qemu decides them
/// (vpc_co_create_opts / calculate_rounded_image_size in block/vpc.c) so that qemu-img reports the same size.
/// </summary>
internal sealed record VhdCreationPlan(long VirtualSize, VhdGeometry Geometry, VhdSubformat Subformat, bool FlushToStableStorage)
{
    /// <summary>
    /// Our creator app. It is honest (we are not qemu) and needs no entry in qemu's creator table: without
    /// force_size the size is a CHS size, so CHS and current_size agree; with force_size (or above 127 GiB) the
    /// geometry is the maximum, which makes qemu read current_size whatever the creator.
    /// </summary>
    public static ReadOnlySpan<byte> CreatorApp => "imgo"u8;

    /// <summary>Creator version 1.0 (major and minor, 16 bits each).</summary>
    public const uint CreatorVersion = 0x0001_0000;

    /// <summary>"Wi2k": the specification knows only Windows and Macintosh hosts; qemu writes Wi2k too.</summary>
    public static ReadOnlySpan<byte> CreatorHostOs => "Wi2k"u8;

    public static VhdCreationPlan For(long requestedSize, ImageCreateOptions options)
    {
        if (options.ClusterSize is not null)
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption,
                "VHD has no cluster_size option (dynamic VHD blocks are 2 MiB, as qemu writes them)");
        }

        if (options.Compress)
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption, "VHD images cannot be compressed");
        }

        if (requestedSize < 0 || requestedSize > VhdConstants.MaxVirtualSize)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"a VHD holds at most 2040 GiB ({VhdConstants.MaxVirtualSize} bytes); {requestedSize} bytes were asked for", ImageFormat.Vhd);
        }

        // qemu silently rounds the size up to whole sectors, then (without force_size) up to a CHS size.
        var sectors = (requestedSize + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize;
        VhdGeometry geometry;
        if (options.ForceSize)
        {
            geometry = VhdGeometry.Maximum;
        }
        else
        {
            geometry = VhdGeometry.RoundUp(sectors);
            if (!geometry.IsMaximum)
            {
                sectors = geometry.TotalSectors;
            }
        }

        return new VhdCreationPlan(sectors * VhdConstants.SectorSize, geometry, options.Subformat, options.FlushToStableStorage);
    }

    public VhdFooter CreateFooter()
    {
        var seconds = (DateTime.UtcNow - VhdConstants.TimestampEpoch).TotalSeconds;
        return new VhdFooter
        {
            DataOffset = Subformat == VhdSubformat.Dynamic ? VhdConstants.FooterSize : VhdConstants.NoDataOffset,
            Timestamp = (uint)Math.Clamp(seconds, 0, uint.MaxValue),
            CreatorApp = CreatorApp.ToArray(),
            CreatorVersion = CreatorVersion,
            CreatorHostOs = CreatorHostOs.ToArray(),
            OriginalSize = (ulong)VirtualSize,
            CurrentSize = (ulong)VirtualSize,
            Geometry = Geometry,
            DiskType = Subformat == VhdSubformat.Dynamic ? VhdDiskType.Dynamic : VhdDiskType.Fixed,
            UniqueId = Guid.NewGuid().ToByteArray(bigEndian: true),
        };
    }
}
