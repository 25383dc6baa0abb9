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

    /// <summary>Where a dynamic VHD keeps its dynamic header: right behind the footer copy at 0.</summary>
    public const long DynamicHeaderOffset = VhdConstants.FooterSize;

    /// <summary>Where a dynamic VHD keeps its BAT: right behind the dynamic header, as qemu places it.</summary>
    public const long BatOffset = DynamicHeaderOffset + VhdConstants.DynamicHeaderSize;

    /// <summary>The block size of a new dynamic VHD: 2 MiB, the only size qemu writes.</summary>
    public int BlockSize => VhdConstants.DefaultBlockSize;

    /// <summary>BAT entries of a new dynamic VHD: exactly one per block of the disk.</summary>
    public long BlockCount => VhdLayout.BlocksNeeded(VirtualSize, BlockSize);

    /// <summary>Bytes of the BAT on disk: one 4-byte entry per block, padded to whole sectors.</summary>
    public long BatBytes => AlignToSector(BlockCount * 4);

    /// <summary>Where the first stored block of a dynamic VHD goes: right behind the BAT.</summary>
    public long FirstBlockOffset => BatOffset + BatBytes;

    /// <summary>File bytes one stored block takes: its sector bitmap, then the block.</summary>
    public long StoredBlockBytes => VhdDynamicHeader.BitmapSize(BlockSize) + BlockSize;

    /// <summary>
    /// The length of the file our writers produce when <paramref name="storedBlocks"/> blocks are stored (ignored
    /// for a fixed disk): the disk and its footer, or the dynamic metadata, the blocks and the footer.
    /// </summary>
    public long FileSize(long storedBlocks) => Subformat == VhdSubformat.Fixed
        ? VirtualSize + VhdConstants.FooterSize
        : FirstBlockOffset + storedBlocks * StoredBlockBytes + VhdConstants.FooterSize;

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

    private static long AlignToSector(long bytes) =>
        (bytes + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize * VhdConstants.SectorSize;
}
