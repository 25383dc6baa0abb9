namespace Imago.Formats.Conversion;

/// <summary>
/// qemu-img measure: how large a file converting a disk (or creating an empty one) would produce.
/// The qcow2 and raw figures follow qemu's qcow2_measure/raw_measure; qemu cannot measure vpc, so the
/// VHD figures follow the layout qemu's vpc driver writes (checked against the files qemu-img writes).
/// </summary>
public static class ImageMeasurer
{
    private const int SectorSize = 512;

    /// <summary>Measures converting <paramref name="source"/>, or creating an empty image of <paramref name="size"/> bytes.</summary>
    public static async Task<MeasureResult> MeasureAsync(ImageFormat outputFormat, ImageCreateOptions? options,
        IDiskImage? source, long? size = null, CancellationToken cancellationToken = default)
    {
        options ??= ImageCreateOptions.Default;
        if ((source is null) == (size is null))
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption, "measure needs either a source image or a size");
        }

        if (size < 0)
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption, "the size cannot be negative");
        }

        var virtualSize = source?.VirtualSize ?? size!.Value;
        switch (outputFormat)
        {
            case ImageFormat.Raw:
                var raw = AlignUp(virtualSize, SectorSize);
                return new MeasureResult(raw, raw);
            case ImageFormat.Qcow2:
                return await MeasureQcow2Async(options, source, virtualSize, cancellationToken).ConfigureAwait(false);
            case ImageFormat.Vhd:
                return await MeasureVhdAsync(options, source, virtualSize, cancellationToken).ConfigureAwait(false);
            default:
                throw new ImageFormatException(ImageErrorKind.InvalidOption,
                    $"cannot measure {outputFormat.DisplayName()} output; the output format must be raw, qcow2 or vpc (VHD)");
        }
    }

    private static async Task<MeasureResult> MeasureQcow2Async(ImageCreateOptions options, IDiskImage? source,
        long size, CancellationToken cancellationToken)
    {
        var clusterSize = options.ClusterSize ?? Qcow2Layout.DefaultClusterSize;
        if (clusterSize < 512 || clusterSize > 2 << 20 || (clusterSize & (clusterSize - 1)) != 0)
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption,
                "Cluster size must be a power of two between 512 and 2048k");
        }

        var virtualSize = AlignUp(size, clusterSize);
        Qcow2Layout.CheckL1Size(virtualSize, clusterSize);

        // Like qemu: data extents count as whole clusters; zero and unallocated ranges cost nothing.
        long required = 0;
        if (source is not null)
        {
            long offset = 0;
            while (offset < size)
            {
                var extent = await source.GetExtentAsync(offset, size - offset, cancellationToken).ConfigureAwait(false);
                if (extent.Offset != offset || extent.Length <= 0)
                {
                    throw ImageFormatException.Corrupt(source.Format, $"the allocation map is inconsistent at offset {offset}");
                }

                var length = extent.Length;
                if (ReadPlanner.NeedsReading(extent) && extent.Data)
                {
                    length = AlignUp(offset + length, clusterSize) - offset;
                    required += offset % clusterSize + length;
                }

                offset += length;
            }
        }

        var fullyAllocated = Qcow2Layout.PreallocatedSize(virtualSize, clusterSize, Qcow2Layout.DefaultRefcountOrder);
        return new MeasureResult(fullyAllocated - virtualSize + required, fullyAllocated, HasQcow2V3Bitmaps(source) ? 0 : null);
    }

    /// <summary>qemu reports "bitmaps" when the source can carry persistent bitmaps: a qcow2 v3 image. We copy none.</summary>
    private static bool HasQcow2V3Bitmaps(IDiskImage? source) =>
        source is { Format: ImageFormat.Qcow2 }
        && source.Details.FormatSpecific?.TryGetValue("compat", out var compat) == true
        && compat is string text && text == "1.1";

    private static async Task<MeasureResult> MeasureVhdAsync(ImageCreateOptions options, IDiskImage? source, long size,
        CancellationToken cancellationToken)
    {
        var diskSize = VhdLayout.DiskSize(AlignUp(size, SectorSize), options.ForceSize);
        if (options.Subformat == VhdSubformat.Fixed)
        {
            var fixedSize = diskSize + VhdLayout.FooterSize;
            return new MeasureResult(fixedSize, fixedSize);
        }

        var blocks = (diskSize + VhdLayout.BlockSize - 1) / VhdLayout.BlockSize;
        var metadata = VhdLayout.DynamicMetadataSize(blocks);
        long usedBlocks = 0;
        if (source is not null)
        {
            long lastBlock = -1;
            await foreach (var extent in ExtentWalker.WalkAsync(source, cancellationToken).ConfigureAwait(false))
            {
                if (!ReadPlanner.NeedsReading(extent) || !extent.Data)
                {
                    continue;
                }

                var first = Math.Max(extent.Offset / VhdLayout.BlockSize, lastBlock + 1);
                var last = (extent.End - 1) / VhdLayout.BlockSize;
                if (last >= first)
                {
                    usedBlocks += last - first + 1;
                    lastBlock = last;
                }
            }
        }

        return new MeasureResult(metadata + usedBlocks * VhdLayout.StoredBlockSize,
            metadata + blocks * VhdLayout.StoredBlockSize);
    }

    internal static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;
}
