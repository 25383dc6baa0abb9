using Imago.Formats.IO;

namespace Imago.Formats.Vhd;

/// <summary>
/// Finds the runs of data worth writing: maximal runs of 4 KiB units (aligned in the destination) that are
/// not all zero. Everything between them is left unwritten, so it stays a hole in the file.
/// </summary>
internal static class NonZeroRuns
{
    /// <summary>Zero detection unit: a file system block, so every all-zero block can stay a hole.</summary>
    public const int Unit = 4096;

    /// <summary>
    /// The next non-zero run in <paramref name="data"/> at or after <paramref name="from"/>, where data[0] lands at
    /// destination offset <paramref name="destinationOffset"/>. Returns false when only zeros remain.
    /// </summary>
    public static bool Next(ReadOnlySpan<byte> data, long destinationOffset, int from, out int start, out int end)
    {
        start = from;
        while (start < data.Length)
        {
            var unit = UnitLength(destinationOffset + start, data.Length - start);
            if (!ZeroDetector.IsAllZero(data.Slice(start, unit)))
            {
                end = start + unit;
                while (end < data.Length)
                {
                    var next = UnitLength(destinationOffset + end, data.Length - end);
                    if (ZeroDetector.IsAllZero(data.Slice(end, next)))
                    {
                        break;
                    }

                    end += next;
                }

                return true;
            }

            start += unit;
        }

        end = start;
        return false;
    }

    private static int UnitLength(long offset, int available) => (int)Math.Min(available, Unit - offset % Unit);
}
