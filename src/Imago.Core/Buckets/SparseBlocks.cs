using Imago.Formats.IO;

namespace Imago.Core.Buckets;

/// <summary>
/// The store keeps every all-zero 64 KiB block of an object's content as a hole: disk images are mostly zeros, and a
/// sparse object costs no space for them and lets a raw import skip them (<see cref="ObjectFileSource.FindRun"/>).
/// Blocks are counted from the start of the buffer given, which every writer aligns to the content.
/// </summary>
internal static class SparseBlocks
{
    public const int BlockSize = 64 << 10;

    /// <summary>
    /// The next run of consecutive data blocks at or after <paramref name="from"/>: returns its start and sets
    /// <paramref name="end"/> to its end; returns the buffer's length when only zero blocks remain.
    /// </summary>
    public static int NextDataRun(ReadOnlySpan<byte> data, int from, out int end)
    {
        var start = from;
        while (start < data.Length && ZeroDetector.IsAllZero(Block(data, start)))
        {
            start += Block(data, start).Length;
        }

        end = start;
        while (end < data.Length && !ZeroDetector.IsAllZero(Block(data, end)))
        {
            end += Block(data, end).Length;
        }

        return start;
    }

    private static ReadOnlySpan<byte> Block(ReadOnlySpan<byte> data, int offset) => data.Slice(offset, Math.Min(BlockSize, data.Length - offset));
}
