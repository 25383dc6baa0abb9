using System.Buffers.Binary;
using Imago.Formats.IO;

namespace Imago.Formats.Guest.Partitions;

/// <summary>
/// The GUID partition table (UEFI spec 2.10 §5.3): a header at LBA 1 (the backup at the last LBA) with a CRC32 of
/// itself and of the partition entry array it points to. A header or array whose CRC fails is not trusted; the
/// backup is tried next. Disks with 512- and 4096-byte logical sectors are both recognised.
/// </summary>
internal static class GptPartitionTable
{
    private static readonly int[] SectorSizes = [512, 4096];

    private const int MinHeaderSize = 92;
    private const int HeaderCrcOffset = 16;
    private const int MyLbaOffset = 24;
    private const int EntriesLbaOffset = 72;
    private const int EntryCountOffset = 80;
    private const int EntrySizeOffset = 84;
    private const int EntriesCrcOffset = 88;

    private const int MinEntrySize = 128;

    /// <summary>128 is what every partitioner writes; more than this is not a real table.</summary>
    private const int MaxEntries = 1024;

    /// <summary>Returns the table, or null when neither the primary nor the backup GPT is valid.</summary>
    public static async ValueTask<PartitionTable?> ReadAsync(GuestDisk disk, bool hasBiosBootCode, CancellationToken cancellationToken)
    {
        foreach (var sectorSize in SectorSizes)
        {
            var lastLba = disk.Size / sectorSize - 1;
            if (lastLba < 2)
            {
                continue;
            }

            var primary = await TryReadAsync(disk, sectorSize, 1, cancellationToken).ConfigureAwait(false);
            var table = primary ?? await TryReadAsync(disk, sectorSize, lastLba, cancellationToken).ConfigureAwait(false);
            if (table is not null)
            {
                return new PartitionTable(PartitionScheme.Gpt, table, hasBiosBootCode);
            }
        }

        return null;
    }

    private static async ValueTask<IReadOnlyList<DiskPartition>?> TryReadAsync(GuestDisk disk, int sectorSize, long headerLba,
        CancellationToken cancellationToken)
    {
        var header = await disk.ReadAsync(headerLba * sectorSize, sectorSize, cancellationToken).ConfigureAwait(false);
        if (!header.AsSpan(0, 8).SequenceEqual("EFI PART"u8))
        {
            return null;
        }

        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
        if (headerSize < MinHeaderSize || headerSize > sectorSize
            || BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(MyLbaOffset)) != (ulong)headerLba
            || !HeaderCrcMatches(header.AsSpan(0, (int)headerSize)))
        {
            return null;
        }

        var entriesLba = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(EntriesLbaOffset));
        var count = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(EntryCountOffset));
        var entrySize = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(EntrySizeOffset));
        if (count == 0 || count > MaxEntries || entrySize < MinEntrySize || entrySize % 8 != 0
            || (long)count * entrySize > GuestDisk.MaxReadBytes || entriesLba > (ulong)(disk.Size / sectorSize))
        {
            return null;
        }

        var arrayLength = (int)(count * entrySize);
        var arrayOffset = (long)entriesLba * sectorSize;
        if (arrayOffset > disk.Size - arrayLength)
        {
            return null;
        }

        var entries = await disk.ReadAsync(arrayOffset, arrayLength, cancellationToken).ConfigureAwait(false);
        if (Crc32.Compute(entries) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(EntriesCrcOffset)))
        {
            return null;
        }

        var partitions = new List<DiskPartition>();
        for (var i = 0; i < count; i++)
        {
            var entry = entries.AsSpan(i * (int)entrySize, MinEntrySize);
            var type = new Guid(entry[..16]);
            var first = BinaryPrimitives.ReadUInt64LittleEndian(entry[32..]);
            var last = BinaryPrimitives.ReadUInt64LittleEndian(entry[40..]);
            if (type == Guid.Empty || last < first || first == 0 || first >= (ulong)(disk.Size / sectorSize))
            {
                continue;
            }

            var offset = (long)first * sectorSize;
            var length = Math.Min((long)Math.Min(last - first + 1, (ulong)(disk.Size / sectorSize)) * sectorSize, disk.Size - offset);
            partitions.Add(new DiskPartition(i + 1, offset, length, PartitionTypes.GptName(type),
                IsEfiSystem: type == PartitionTypes.EfiSystem, IsBiosBoot: type == PartitionTypes.BiosBoot));
        }

        return partitions;
    }

    /// <summary>The header's CRC32 is computed over the header with its CRC field zeroed.</summary>
    private static bool HeaderCrcMatches(ReadOnlySpan<byte> header)
    {
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(header[HeaderCrcOffset..]);
        var copy = header.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(HeaderCrcOffset), 0);
        return Crc32.Compute(copy) == stored;
    }
}
