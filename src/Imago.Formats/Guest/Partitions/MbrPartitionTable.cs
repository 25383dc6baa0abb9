using System.Buffers.Binary;

namespace Imago.Formats.Guest.Partitions;

/// <summary>
/// The classic MBR at LBA 0: four primary entries and, in an extended partition, the chain of extended boot
/// records (EBRs) each describing one logical partition and linking to the next.
/// </summary>
internal static class MbrPartitionTable
{
    public const int SectorSize = 512;
    private const int BootCodeLength = 440;
    private const int EntriesOffset = 446;
    private const int EntrySize = 16;
    private const int SignatureOffset = 510;

    /// <summary>Linux's own limit is far higher, but no real disk has more; a longer chain is a loop or an attack.</summary>
    private const int MaxLogicalPartitions = 128;

    public static bool HasSignature(ReadOnlySpan<byte> sector) =>
        sector.Length >= SectorSize && sector[SignatureOffset] == 0x55 && sector[SignatureOffset + 1] == 0xAA;

    /// <summary>True when the boot sector's four entries are well formed (boot flags 0x00/0x80, at least one used).</summary>
    public static bool LooksLikeTable(ReadOnlySpan<byte> sector)
    {
        if (!HasSignature(sector))
        {
            return false;
        }

        var used = 0;
        for (var i = 0; i < 4; i++)
        {
            var entry = Entry(sector, i);
            if (entry.BootFlag is not (0x00 or 0x80))
            {
                return false;
            }

            used += entry.Type != 0 && entry.Sectors != 0 ? 1 : 0;
        }

        return used > 0;
    }

    /// <summary>True when the only entry is the 0xEE protective one (the disk is GPT).</summary>
    public static bool IsProtective(ReadOnlySpan<byte> sector)
    {
        for (var i = 0; i < 4; i++)
        {
            if (Entry(sector, i).Type == PartitionTypes.MbrGptProtective)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Bytes before the disk signature that are not zero: a boot loader's first stage (GRUB, SYSLINUX, Windows).</summary>
    public static bool HasBootCode(ReadOnlySpan<byte> sector) => sector[..BootCodeLength].ContainsAnyExcept((byte)0);

    public static async ValueTask<PartitionTable> ReadAsync(GuestDisk disk, byte[] mbr, CancellationToken cancellationToken)
    {
        var partitions = new List<DiskPartition>();
        for (var i = 0; i < 4; i++)
        {
            var entry = Entry(mbr, i);
            if (entry.Type is 0 or PartitionTypes.MbrGptProtective || entry.Sectors == 0)
            {
                continue; // unused, or the protective entry of a GPT whose headers are both invalid
            }

            if (PartitionTypes.IsMbrExtended(entry.Type))
            {
                await ReadLogicalAsync(disk, entry.FirstLba, entry.Sectors, partitions, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Add(partitions, disk, i + 1, entry.FirstLba, entry);
            }
        }

        return new PartitionTable(PartitionScheme.Mbr, partitions, HasBootCode(mbr));
    }

    /// <summary>Follows the EBR chain: entry 0 is relative to its EBR, entry 1 (the next EBR) to the extended partition.</summary>
    private static async ValueTask ReadLogicalAsync(GuestDisk disk, long extendedLba, long extendedSectors, List<DiskPartition> partitions,
        CancellationToken cancellationToken)
    {
        var visited = new HashSet<long>();
        var ebrLba = extendedLba;
        for (var number = 5; number < 5 + MaxLogicalPartitions; number++)
        {
            if (!visited.Add(ebrLba) || ebrLba < extendedLba || ebrLba >= extendedLba + extendedSectors
                || (ebrLba + 1) * SectorSize > disk.Size)
            {
                return;
            }

            var ebr = await disk.ReadAsync(ebrLba * SectorSize, SectorSize, cancellationToken).ConfigureAwait(false);
            if (!HasSignature(ebr))
            {
                return;
            }

            var logical = Entry(ebr, 0);
            if (logical.Type != 0 && logical.Sectors != 0)
            {
                Add(partitions, disk, number, ebrLba + logical.FirstLba, logical);
            }

            var next = Entry(ebr, 1);
            if (next.Type == 0 || next.Sectors == 0 || !PartitionTypes.IsMbrExtended(next.Type))
            {
                return;
            }

            ebrLba = extendedLba + next.FirstLba;
        }
    }

    private static void Add(List<DiskPartition> partitions, GuestDisk disk, int number, long firstLba, MbrEntry entry)
    {
        var offset = firstLba * SectorSize;
        var length = entry.Sectors * SectorSize;
        if (offset <= 0 || offset >= disk.Size)
        {
            return; // points outside the disk: nothing there to read
        }

        // A partition running past the end of the disk (a truncated image) is read as far as the disk goes.
        length = Math.Min(length, disk.Size - offset);
        partitions.Add(new DiskPartition(number, offset, length, PartitionTypes.MbrName(entry.Type),
            IsEfiSystem: entry.Type == PartitionTypes.MbrEfiSystem, IsBiosBoot: false));
    }

    private static MbrEntry Entry(ReadOnlySpan<byte> sector, int index)
    {
        var entry = sector.Slice(EntriesOffset + (index * EntrySize), EntrySize);
        return new MbrEntry(entry[0], entry[4], BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]), BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]));
    }

    private readonly record struct MbrEntry(byte BootFlag, byte Type, long FirstLba, long Sectors);
}
