using System.Buffers.Binary;
using System.Text;
using Imago.Formats.IO;

namespace Imago.Core.Images.DiskBuilding;

/// <summary>
/// Writes a one-partition table: a classic MBR (BIOS images) or a GPT with its protective MBR, primary and backup
/// headers and entry arrays, and their CRC32s (UEFI images). The partition starts at 1 MiB, as installers align it.
/// </summary>
internal static class PartitionTable
{
    public const long FirstPartitionLba = 2048;

    /// <summary>MBR type 0x0C: FAT32 with LBA addressing.</summary>
    private const byte MbrFat32Lba = 0x0C;

    /// <summary>MBR type 0xEE: the protective entry covering a GPT disk.</summary>
    private const byte MbrGptProtective = 0xEE;

    /// <summary>"Microsoft basic data": the GPT type of a FAT data partition, on Linux as on Windows.</summary>
    private static readonly Guid BasicDataType = new("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7");

    private const int GptEntryCount = 128;
    private const int GptEntrySize = 128;
    private const int GptEntrySectors = GptEntryCount * GptEntrySize / SparseSectorImage.SectorSize; // 32

    /// <summary>Writes an MBR with one bootable FAT32 partition; returns its (first LBA, sector count).</summary>
    public static (long FirstLba, long Sectors) WriteMbr(SparseSectorImage disk, uint diskSignature)
    {
        var sectors = Math.Min(disk.SectorCount - FirstPartitionLba, uint.MaxValue);
        var mbr = new byte[SparseSectorImage.SectorSize];
        BinaryPrimitives.WriteUInt32LittleEndian(mbr.AsSpan(440), diskSignature);
        WriteMbrEntry(mbr.AsSpan(446, 16), bootable: true, MbrFat32Lba, (uint)FirstPartitionLba, (uint)sectors);
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        disk.Write(0, mbr);
        return (FirstPartitionLba, sectors);
    }

    /// <summary>Writes a protective MBR and a GPT with one basic-data partition; returns its (first LBA, sector count).</summary>
    public static (long FirstLba, long Sectors) WriteGpt(SparseSectorImage disk, Guid diskGuid, Guid partitionGuid, string partitionName)
    {
        var lastLba = disk.SectorCount - 1;
        var firstUsable = 2 + GptEntrySectors;
        var lastUsable = lastLba - 1 - GptEntrySectors;
        // End the partition on a 1 MiB boundary below the backup structures, as partitioners do.
        var partitionLast = (lastUsable + 1) / FirstPartitionLba * FirstPartitionLba - 1;

        var protective = new byte[SparseSectorImage.SectorSize];
        WriteMbrEntry(protective.AsSpan(446, 16), bootable: false, MbrGptProtective, 1, (uint)Math.Min(lastLba, uint.MaxValue));
        protective[510] = 0x55;
        protective[511] = 0xAA;
        disk.Write(0, protective);

        var entries = new byte[GptEntryCount * GptEntrySize];
        var entry = entries.AsSpan(0, GptEntrySize);
        BasicDataType.TryWriteBytes(entry[..16]);
        partitionGuid.TryWriteBytes(entry.Slice(16, 16));
        BinaryPrimitives.WriteUInt64LittleEndian(entry[32..], FirstPartitionLba);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[40..], (ulong)partitionLast);
        Encoding.Unicode.GetBytes(partitionName.Length > 36 ? partitionName[..36] : partitionName, entry[56..]);
        var entriesCrc = Crc32.Compute(entries);

        disk.Write(1, GptHeader(myLba: 1, alternateLba: lastLba, entriesLba: 2));
        disk.Write(2, entries);
        disk.Write(lastLba - GptEntrySectors, entries);
        disk.Write(lastLba, GptHeader(myLba: lastLba, alternateLba: 1, entriesLba: lastLba - GptEntrySectors));
        return (FirstPartitionLba, partitionLast - FirstPartitionLba + 1);

        byte[] GptHeader(long myLba, long alternateLba, long entriesLba)
        {
            var sector = new byte[SparseSectorImage.SectorSize];
            var header = sector.AsSpan(0, 92);
            "EFI PART"u8.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], 0x00010000); // revision 1.0
            BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 92);
            BinaryPrimitives.WriteUInt64LittleEndian(header[24..], (ulong)myLba);
            BinaryPrimitives.WriteUInt64LittleEndian(header[32..], (ulong)alternateLba);
            BinaryPrimitives.WriteUInt64LittleEndian(header[40..], (ulong)firstUsable);
            BinaryPrimitives.WriteUInt64LittleEndian(header[48..], (ulong)lastUsable);
            diskGuid.TryWriteBytes(header.Slice(56, 16));
            BinaryPrimitives.WriteUInt64LittleEndian(header[72..], (ulong)entriesLba);
            BinaryPrimitives.WriteUInt32LittleEndian(header[80..], GptEntryCount);
            BinaryPrimitives.WriteUInt32LittleEndian(header[84..], GptEntrySize);
            BinaryPrimitives.WriteUInt32LittleEndian(header[88..], entriesCrc);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], Crc32.Compute(header)); // computed with the field zero
            return sector;
        }
    }

    private static void WriteMbrEntry(Span<byte> entry, bool bootable, byte type, uint firstLba, uint sectors)
    {
        entry[0] = bootable ? (byte)0x80 : (byte)0x00;
        // CHS fields: beyond the 8 GiB CHS limit every tool uses the LBA fields; 0xFEFFFF is the conventional "max".
        // The protective entry starts at CHS 0/0/2 (LBA 1), as the UEFI specification asks.
        entry[1] = type == MbrGptProtective ? (byte)0x00 : (byte)0xFE;
        entry[2] = type == MbrGptProtective ? (byte)0x02 : (byte)0xFF;
        entry[3] = type == MbrGptProtective ? (byte)0x00 : (byte)0xFF;
        entry[4] = type;
        entry[5] = 0xFE;
        entry[6] = 0xFF;
        entry[7] = 0xFF;
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], firstLba);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], sectors);
    }
}
