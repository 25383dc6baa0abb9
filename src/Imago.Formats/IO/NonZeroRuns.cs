namespace Imago.Formats.IO;

/// <summary>
/// Finds the runs of data worth writing: maximal runs of units (aligned to offsets in the destination, not in
/// the buffer) that are not all zero. Everything between them is left unwritten, so it stays a hole in the file
/// or an unallocated block in the image. The one zero-run finder of every writer and of the converter.
/// </summary>
internal static class NonZeroRuns
{
    /// <summary>A file system block, so every all-zero block can stay a hole (qemu-img convert's default -S 4k).</summary>
    public const int FileSystemBlock = 4096;

    /// <summary>
    /// The next non-zero run in <paramref name="data"/> at or after <paramref name="from"/> (a unit boundary or 0),
    /// where data[0] lands at destination offset <paramref name="destinationOffset"/>. Returns false when only
    /// zeros remain.
    /// </summary>
    public static bool Next(ReadOnlySpan<byte> data, long destinationOffset, int unit, int from, out int start, out int end)
    {
        start = from;
        while (start < data.Length)
        {
            var length = UnitLength(destinationOffset + start, unit, data.Length - start);
            if (!ZeroDetector.IsAllZero(data.Slice(start, length)))
            {
                end = start + length;
                while (end < data.Length)
                {
                    var next = UnitLength(destinationOffset + end, unit, data.Length - end);
                    if (ZeroDetector.IsAllZero(data.Slice(end, next)))
                    {
                        break;
                    }

                    end += next;
                }

                return true;
            }

            start += length;
        }

        end = start;
        return false;
    }

    /// <summary>Every non-zero run of <paramref name="data"/>, as (start, length) pairs in buffer positions.</summary>
    public static List<(int Start, int Length)> FindAll(ReadOnlySpan<byte> data, long destinationOffset, int unit)
    {
        var runs = new List<(int, int)>();
        var position = 0;
        while (Next(data, destinationOffset, unit, position, out var start, out var end))
        {
            runs.Add((start, end - start));
            position = end;
        }

        return runs;
    }

    private static int UnitLength(long offset, int unit, int available) => (int)Math.Min(available, unit - offset % unit);
}
