using Imago.Formats.Qcow2;
using Imago.Formats.Vhd;

namespace Imago.Formats.Conversion;

/// <summary>
/// qemu-img measure: how large a file converting a disk (or creating an empty one) would produce.
/// The qcow2 and raw figures follow qemu's qcow2_measure/raw_measure; qemu cannot measure vpc, so the
/// VHD figures are those of our VHD writer, whose layout is qemu's vpc layout (checked against the files qemu-img writes).
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
        var plan = Qcow2CreationPlan.For(size, options);
        var clusterSize = plan.ClusterSize;

        // Like qemu: data extents count as whole clusters; zero and unallocated ranges cost nothing.
        var required = source is null
            ? 0
            : await CountDataUnitsAsync(source, clusterSize, cancellationToken).ConfigureAwait(false) * clusterSize;

        var fullyAllocated = plan.FullyAllocatedFileSize();
        return new MeasureResult(fullyAllocated - plan.AlignedVirtualSize + required, fullyAllocated, HasQcow2V3Bitmaps(source) ? 0 : null);
    }

    /// <summary>qemu reports "bitmaps" when the source can carry persistent bitmaps: a qcow2 v3 image. We copy none.</summary>
    private static bool HasQcow2V3Bitmaps(IDiskImage? source) =>
        source is { Format: ImageFormat.Qcow2 }
        && source.Details.FormatSpecific?.TryGetValue("compat", out var compat) == true
        && compat is string text && text == "1.1";

    /// <summary>
    /// The VHD our writer would produce: the creation plan (size, geometry, layout) is the writer's own, so the
    /// figures follow it. Like qemu, every block a data extent touches counts as stored.
    /// </summary>
    private static async Task<MeasureResult> MeasureVhdAsync(ImageCreateOptions options, IDiskImage? source, long size,
        CancellationToken cancellationToken)
    {
        var plan = VhdCreationPlan.For(size, options);
        var usedBlocks = source is not null && plan.Subformat == VhdSubformat.Dynamic
            ? await CountDataUnitsAsync(source, plan.BlockSize, cancellationToken).ConfigureAwait(false)
            : 0;

        return new MeasureResult(plan.FileSize(usedBlocks), plan.FileSize(plan.BlockCount));
    }

    /// <summary>How many <paramref name="unit"/>-sized units of the disk hold data (a unit counts once, however many extents touch it).</summary>
    private static async Task<long> CountDataUnitsAsync(IDiskImage source, long unit, CancellationToken cancellationToken)
    {
        long count = 0;
        long lastCounted = -1;
        await foreach (var extent in ExtentWalker.WalkAsync(source, cancellationToken).ConfigureAwait(false))
        {
            if (!ReadPlanner.NeedsReading(extent) || !extent.Data)
            {
                continue;
            }

            var first = Math.Max(extent.Offset / unit, lastCounted + 1);
            var last = (extent.End - 1) / unit;
            if (last >= first)
            {
                count += last - first + 1;
                lastCounted = last;
            }
        }

        return count;
    }

    private static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;
}
