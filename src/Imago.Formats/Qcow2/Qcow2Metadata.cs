using System.Buffers.Binary;
using Imago.Formats.IO;
using static Imago.Formats.Qcow2.Qcow2Constants;

namespace Imago.Formats.Qcow2;

/// <summary>
/// The validated structure of an opened qcow2 file: header, geometry and active L1 table.
/// Everything here was bounded against the file size before it was read.
/// </summary>
internal sealed class Qcow2Metadata
{
    private Qcow2Metadata(Qcow2Header header, long fileLength, ulong[] l1, long[] sortedL2Offsets, long[] sortedRefcountBlocks)
    {
        SortedRefcountBlocks = sortedRefcountBlocks;
        Header = header;
        FileLength = fileLength;
        Geometry = new Qcow2Geometry(header.ClusterBits, header.ExtendedL2);
        L1 = l1;
        SortedL2Offsets = sortedL2Offsets;
    }

    public Qcow2Header Header { get; }
    public Qcow2Geometry Geometry { get; }
    public long FileLength { get; }

    /// <summary>The active L1 entries that map the virtual disk (entries past the virtual size are not kept).</summary>
    public ulong[] L1 { get; }

    /// <summary>Host offsets of every L2 table of the active L1, sorted, to refuse data clusters that alias one.</summary>
    public long[] SortedL2Offsets { get; }

    /// <summary>Host offsets of the refcount blocks, sorted, for the same reason.</summary>
    public long[] SortedRefcountBlocks { get; }

    /// <summary>Reads cluster 0 and returns the header (does not read the L1 table).</summary>
    public static async ValueTask<Qcow2Header> ReadHeaderAsync(IByteSource source, CancellationToken cancellationToken)
    {
        var probe = new byte[(int)Math.Min(Qcow2Header.ProbeLength, source.Length)];
        await source.ReadExactlyAsync(0, probe, ImageFormat.Qcow2, "the header", cancellationToken).ConfigureAwait(false);
        var clusterBits = Qcow2Header.PeekClusterBits(probe);
        var cluster0 = new byte[(int)Math.Min(1L << clusterBits, source.Length)];
        await source.ReadExactlyAsync(0, cluster0, ImageFormat.Qcow2, "the header", cancellationToken).ConfigureAwait(false);
        return Qcow2Header.Parse(cluster0, source.Length);
    }

    public static async ValueTask<Qcow2Metadata> ReadAsync(IByteSource source, CancellationToken cancellationToken)
    {
        var header = await ReadHeaderAsync(source, cancellationToken).ConfigureAwait(false);
        var geometry = new Qcow2Geometry(header.ClusterBits, header.ExtendedL2);
        var needed = (int)Qcow2Header.RequiredL1Entries(header.VirtualSize, header.ClusterBits, header.ExtendedL2);
        // Read in pieces straight into the table: no second copy of a table that may be 32 MiB.
        var l1 = new ulong[needed];
        var l2Offsets = new List<long>();
        var chunk = new byte[Math.Min(needed * 8, 1 << 16)];
        for (var first = 0; first < needed; first += chunk.Length / 8)
        {
            var count = Math.Min(chunk.Length / 8, needed - first);
            await source.ReadExactlyAsync(header.L1TableOffset + first * 8L, chunk.AsMemory(0, count * 8), ImageFormat.Qcow2, "the L1 table",
                cancellationToken).ConfigureAwait(false);
            for (var k = 0; k < count; k++)
            {
                var i = first + k;
                l1[i] = BinaryPrimitives.ReadUInt64BigEndian(chunk.AsSpan(k * 8));
                var l2 = (long)(l1[i] & L1OffsetMask);
                if (l2 == 0)
                {
                    continue;
                }

                ValidateL2Offset(header, geometry, source.Length, i, l2);
                l2Offsets.Add(l2);
            }
        }

        var sorted = l2Offsets.ToArray();
        Array.Sort(sorted);
        var blocks = await ReadRefcountBlockOffsetsAsync(source, header, cancellationToken).ConfigureAwait(false);
        return new Qcow2Metadata(header, source.Length, l1, sorted, blocks);
    }

    /// <summary>The non-zero refcount table entries (the table is at most 8 MiB, read in 64 KiB pieces).</summary>
    private static async ValueTask<long[]> ReadRefcountBlockOffsetsAsync(IByteSource source, Qcow2Header header, CancellationToken cancellationToken)
    {
        var blocks = new List<long>();
        var chunk = new byte[Math.Min(header.RefcountTableBytes, 1 << 16)];
        for (long done = 0; done < header.RefcountTableBytes; done += chunk.Length)
        {
            var n = (int)Math.Min(chunk.Length, header.RefcountTableBytes - done);
            await source.ReadExactlyAsync(header.RefcountTableOffset + done, chunk.AsMemory(0, n), ImageFormat.Qcow2, "the refcount table",
                cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < n; i += 8)
            {
                var entry = BinaryPrimitives.ReadUInt64BigEndian(chunk.AsSpan(i)) & RefcountTableOffsetMask;
                if (entry != 0 && entry < long.MaxValue)
                {
                    blocks.Add((long)entry);
                }
            }
        }

        var sorted = blocks.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    private static void ValidateL2Offset(Qcow2Header header, Qcow2Geometry geometry, long fileLength, int index, long l2)
    {
        if (!geometry.IsClusterAligned(l2))
        {
            throw Corrupt($"L1 entry {index} points to an unaligned L2 table at 0x{l2:x}");
        }

        if (l2 < geometry.ClusterSize)
        {
            throw Corrupt($"L1 entry {index} points into the header");
        }

        if (l2 > fileLength - geometry.ClusterSize)
        {
            throw Corrupt($"L1 entry {index} points to an L2 table at 0x{l2:x}, past the end of the file");
        }

        if (Qcow2Header.Overlaps(l2, geometry.ClusterSize, header.L1TableOffset, header.L1Bytes)
            || Qcow2Header.Overlaps(l2, geometry.ClusterSize, header.RefcountTableOffset, header.RefcountTableBytes))
        {
            throw Corrupt($"L1 entry {index} points to an L2 table at 0x{l2:x} that overlaps the L1 or refcount table");
        }
    }

    /// <summary>True when a data cluster at <paramref name="host"/> would alias the header, L1, refcount table or an L2 table.</summary>
    public bool OverlapsMetadata(long host)
    {
        var cs = Geometry.ClusterSize;
        return host < cs
            || Qcow2Header.Overlaps(host, cs, Header.L1TableOffset, Header.L1Bytes)
            || Qcow2Header.Overlaps(host, cs, Header.RefcountTableOffset, Header.RefcountTableBytes)
            || Array.BinarySearch(SortedL2Offsets, host) >= 0
            || Array.BinarySearch(SortedRefcountBlocks, host) >= 0;
    }

    public static ImageFormatException Corrupt(string message) => ImageFormatException.Corrupt(ImageFormat.Qcow2, message);
}
