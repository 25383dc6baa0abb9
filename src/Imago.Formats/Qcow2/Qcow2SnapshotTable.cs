using System.Buffers.Binary;
using Imago.Formats.IO;
using static Imago.Formats.Qcow2.Qcow2Constants;

namespace Imago.Formats.Qcow2;

/// <summary>One internal snapshot's L1 table, as the snapshot table records it.</summary>
internal readonly record struct Qcow2Snapshot(long L1Offset, uint L1Size);

/// <summary>Reads the snapshot table (bounded by qemu's limits on count and size) for the checker.</summary>
internal static class Qcow2SnapshotTable
{
    public static async ValueTask<(List<Qcow2Snapshot> Snapshots, long TableBytes)> ReadAsync(IByteSource source, Qcow2Header header,
        CancellationToken cancellationToken)
    {
        var snapshots = new List<Qcow2Snapshot>();
        if (header.SnapshotCount == 0)
        {
            return (snapshots, 0);
        }

        var available = Math.Min(MaxSnapshotTableBytes, source.Length - header.SnapshotsOffset);
        var table = new byte[available];
        await source.ReadExactlyAsync(header.SnapshotsOffset, table, ImageFormat.Qcow2, "the snapshot table", cancellationToken)
            .ConfigureAwait(false);

        long pos = 0;
        for (var i = 0; i < header.SnapshotCount; i++)
        {
            if (pos + SnapshotEntryFixedLength > table.Length)
            {
                throw ImageFormatException.Truncated(ImageFormat.Qcow2, "the snapshot table");
            }

            var entry = table.AsSpan((int)pos);
            var l1Offset = BinaryPrimitives.ReadUInt64BigEndian(entry);
            var l1Size = BinaryPrimitives.ReadUInt32BigEndian(entry[8..]);
            var idLength = BinaryPrimitives.ReadUInt16BigEndian(entry[12..]);
            var nameLength = BinaryPrimitives.ReadUInt16BigEndian(entry[14..]);
            var extraLength = BinaryPrimitives.ReadUInt32BigEndian(entry[36..]);
            var length = SnapshotEntryFixedLength + (long)extraLength + idLength + nameLength;
            length = (length + 7) & ~7L;
            if (pos + length > table.Length)
            {
                throw ImageFormatException.Truncated(ImageFormat.Qcow2, "the snapshot table");
            }

            if (l1Offset > long.MaxValue / 2)
            {
                throw ImageFormatException.Corrupt(ImageFormat.Qcow2, $"snapshot {i} has an L1 offset out of range");
            }

            snapshots.Add(new Qcow2Snapshot((long)l1Offset, l1Size));
            pos += length;
        }

        return (snapshots, pos);
    }
}
