namespace Imago.Formats.Conversion;

/// <summary>
/// Turns a disk's extent map into the reads a conversion needs: zero and unallocated extents are
/// dropped, data extents are widened to whole writer units, merged when they touch, and cut at
/// chunk boundaries so each read fits one pooled buffer.
/// </summary>
internal sealed class ReadPlanner(IDiskImage source, int granularity, int chunkSize)
{
    public async IAsyncEnumerable<(long Offset, int Length)> PlanAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var size = source.VirtualSize;
        long pendingStart = -1, pendingEnd = -1;

        // Widening to whole units can reach back into a unit already handed out (two extents that
        // share one unit): never plan a byte twice, the writer only moves forward.
        long plannedUpTo = 0;
        await foreach (var extent in ExtentWalker.WalkAsync(source, cancellationToken).ConfigureAwait(false))
        {
            if (!NeedsReading(extent))
            {
                continue;
            }

            var start = Math.Max(plannedUpTo, extent.Offset / granularity * granularity);
            var end = Math.Min(size, (extent.End + granularity - 1) / granularity * granularity);
            if (start >= end)
            {
                continue;
            }
            if (pendingStart >= 0 && start <= pendingEnd)
            {
                pendingEnd = Math.Max(pendingEnd, end);
            }
            else
            {
                if (pendingStart >= 0)
                {
                    foreach (var read in Split(pendingStart, pendingEnd))
                    {
                        yield return read;
                    }
                }

                (pendingStart, pendingEnd) = (start, end);
            }

            // Hand out whole chunks as soon as they are known, so reading starts before the walk ends.
            var chunkEnd = (pendingStart / chunkSize + 1) * chunkSize;
            while (chunkEnd <= pendingEnd)
            {
                yield return (pendingStart, (int)(chunkEnd - pendingStart));
                plannedUpTo = chunkEnd;
                pendingStart = chunkEnd;
                chunkEnd += chunkSize;
            }

            if (pendingStart >= pendingEnd)
            {
                pendingStart = pendingEnd = -1;
            }
        }

        if (pendingStart >= 0)
        {
            foreach (var read in Split(pendingStart, pendingEnd))
            {
                yield return read;
            }
        }
    }

    /// <summary>Unallocated ranges and ranges known to read as zeros are never read.</summary>
    public static bool NeedsReading(DiskExtent extent) => extent.Present && !extent.Zero;

    private IEnumerable<(long Offset, int Length)> Split(long start, long end)
    {
        while (start < end)
        {
            var chunkEnd = Math.Min(end, (start / chunkSize + 1) * chunkSize);
            yield return (start, (int)(chunkEnd - start));
            start = chunkEnd;
        }
    }
}
