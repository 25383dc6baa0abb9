using System.Buffers;
using System.Buffers.Binary;
using Imago.Formats.IO;

namespace Imago.Formats.Vhd;

/// <summary>
/// Reads a block allocation table from the file in 64 KiB pieces and hands every entry to a visitor, so that
/// the reader and the checker share one bounded walk whatever max_table_entries says (the caller bounds the
/// table against the file first).
/// </summary>
internal static class VhdBatWalker
{
    private const int ReadChunk = 64 * 1024;

    public static async ValueTask ForEachEntryAsync(IByteSource source, long tableOffset, long entries,
        Action<long, uint> visit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadChunk);
        try
        {
            for (long first = 0; first < entries; first += ReadChunk / 4)
            {
                var count = (int)Math.Min(ReadChunk / 4, entries - first);
                await source.ReadExactlyAsync(tableOffset + first * 4, buffer.AsMemory(0, count * 4), ImageFormat.Vhd,
                    "the block allocation table", cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    visit(first + i, BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(i * 4)));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The metadata no data block may touch: footer copy, dynamic header, BAT, and the footer at the end when there is one.</summary>
    public static List<(long Offset, long Length, string Name)> MetadataRegions(long headerOffset, long tableOffset,
        long tableBytes, long fileLength, bool hasFooterAtEnd)
    {
        var metadata = new List<(long Offset, long Length, string Name)>
        {
            (0, VhdConstants.FooterSize, "footer copy"),
            (headerOffset, VhdConstants.DynamicHeaderSize, "dynamic header"),
            (tableOffset, tableBytes, "block allocation table"),
        };
        if (hasFooterAtEnd)
        {
            metadata.Add((fileLength - VhdConstants.FooterSize, VhdConstants.FooterSize, "footer at the end of the file"));
        }

        return metadata;
    }
}
