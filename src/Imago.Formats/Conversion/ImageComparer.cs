using System.Buffers;

namespace Imago.Formats.Conversion;

/// <summary>The outcome of <see cref="ImageComparer.CompareAsync"/>.</summary>
/// <param name="FirstDifference">Offset of the first differing 512-byte sector, null when identical.</param>
/// <param name="SizeMismatch">The virtual sizes differ (qemu-img prints a warning; only a non-zero tail counts as a difference).</param>
public sealed record CompareResult(long? FirstDifference, bool SizeMismatch)
{
    public bool Identical => FirstDifference is null;
}

/// <summary>
/// Compares what two disks show a guest, with qemu-img compare's non-strict rules: unallocated reads as
/// zeros, and when the sizes differ the longer disk's tail must be all zeros. Offsets are reported at
/// 512-byte sector granularity, as qemu-img does.
/// </summary>
public static class ImageComparer
{
    private const int SectorSize = 512;
    private const int BufferSize = 1 << 20;

    public static async Task<CompareResult> CompareAsync(IDiskImage first, IDiskImage second,
        CancellationToken cancellationToken = default)
    {
        var common = Math.Min(first.VirtualSize, second.VirtualSize);
        var bufferA = ArrayPool<byte>.Shared.Rent(BufferSize);
        var bufferB = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var difference = await CompareCommonAsync(first, second, common, bufferA, bufferB, cancellationToken).ConfigureAwait(false);
            if (difference is null && first.VirtualSize != second.VirtualSize)
            {
                var longer = first.VirtualSize > second.VirtualSize ? first : second;
                difference = await FindNonZeroAsync(longer, common, longer.VirtualSize, bufferA, cancellationToken).ConfigureAwait(false);
            }

            return new CompareResult(difference, first.VirtualSize != second.VirtualSize);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bufferA);
            ArrayPool<byte>.Shared.Return(bufferB);
        }
    }

    private static async Task<long?> CompareCommonAsync(IDiskImage a, IDiskImage b, long end, byte[] bufferA,
        byte[] bufferB, CancellationToken cancellationToken)
    {
        long offset = 0;
        while (offset < end)
        {
            var extentA = await GetExtentAsync(a, offset, end, cancellationToken).ConfigureAwait(false);
            var extentB = await GetExtentAsync(b, offset, end, cancellationToken).ConfigureAwait(false);
            var length = (int)Math.Min(BufferSize, Math.Min(extentA.End, extentB.End) - offset);
            var zeroA = !ReadPlanner.NeedsReading(extentA);
            var zeroB = !ReadPlanner.NeedsReading(extentB);
            if (!(zeroA && zeroB))
            {
                var spanA = bufferA.AsMemory(0, length);
                var spanB = bufferB.AsMemory(0, length);
                if (!zeroA)
                {
                    await a.ReadAsync(offset, spanA, cancellationToken).ConfigureAwait(false);
                }

                if (!zeroB)
                {
                    await b.ReadAsync(offset, spanB, cancellationToken).ConfigureAwait(false);
                }

                int index = zeroA ? IndexOfNonZero(spanB.Span)
                    : zeroB ? IndexOfNonZero(spanA.Span)
                    : IndexOfDifference(spanA.Span, spanB.Span);
                if (index >= 0)
                {
                    return SectorStart(offset, index);
                }
            }

            offset += length;
        }

        return null;
    }

    private static async Task<long?> FindNonZeroAsync(IDiskImage image, long start, long end, byte[] buffer,
        CancellationToken cancellationToken)
    {
        await foreach (var extent in ExtentWalker.WalkAsync(image, start, end, cancellationToken).ConfigureAwait(false))
        {
            if (!ReadPlanner.NeedsReading(extent))
            {
                continue;
            }

            for (var offset = extent.Offset; offset < extent.End; offset += BufferSize)
            {
                var memory = buffer.AsMemory(0, (int)Math.Min(BufferSize, extent.End - offset));
                await image.ReadAsync(offset, memory, cancellationToken).ConfigureAwait(false);
                var index = IndexOfNonZero(memory.Span);
                if (index >= 0)
                {
                    return SectorStart(offset, index);
                }
            }
        }

        return null;
    }

    private static async Task<DiskExtent> GetExtentAsync(IDiskImage image, long offset, long end, CancellationToken cancellationToken)
    {
        var extent = await image.GetExtentAsync(offset, end - offset, cancellationToken).ConfigureAwait(false);
        if (extent.Offset != offset || extent.Length <= 0 || extent.End > end)
        {
            throw ImageFormatException.Corrupt(image.Format, $"the allocation map is inconsistent at offset {offset}");
        }

        return extent;
    }

    private static int IndexOfNonZero(ReadOnlySpan<byte> data) => data.IndexOfAnyExcept((byte)0);

    private static int IndexOfDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var common = a.CommonPrefixLength(b);
        return common == a.Length ? -1 : common;
    }

    /// <summary>qemu-img reports the start of the first differing sector, not the byte.</summary>
    private static long SectorStart(long chunkOffset, int index) =>
        Math.Max(chunkOffset, (chunkOffset + index) / SectorSize * SectorSize);
}
