using System.Buffers.Binary;
using System.Text;

namespace Imago.Formats.Tests.Hostile;

/// <summary>
/// Images built byte by byte from their specifications where no tool is needed: ISO 9660 and UDF volume
/// descriptors (so that no genisoimage/xorriso package is needed) and a GPT disk laid out as sgdisk writes it.
/// </summary>
public static class CraftedImages
{
    private const int IsoSector = 2048;

    /// <summary>An ISO 9660 volume: empty system area, a primary volume descriptor at 32 KiB and a terminator.</summary>
    public static byte[] Iso9660(int sectors = 24)
    {
        var iso = new byte[sectors * IsoSector];
        var pvd = iso.AsSpan(16 * IsoSector, IsoSector);
        pvd[0] = 1; // primary volume descriptor
        "CD001"u8.CopyTo(pvd[1..]);
        pvd[6] = 1;
        Encoding.ASCII.GetBytes("IMAGO".PadRight(32)).CopyTo(pvd[40..]);
        BothEndian32(pvd[80..], (uint)sectors);       // volume space size
        BothEndian16(pvd[120..], 1);                  // volume set size
        BothEndian16(pvd[124..], 1);                  // volume sequence number
        BothEndian16(pvd[128..], IsoSector);          // logical block size
        pvd[881] = 1;                                 // file structure version
        var terminator = iso.AsSpan(17 * IsoSector, IsoSector);
        terminator[0] = 255;
        "CD001"u8.CopyTo(terminator[1..]);
        terminator[6] = 1;
        return iso;
    }

    /// <summary>A UDF volume recognition sequence (BEA01, NSR02, TEA01) from 32 KiB, as mkudffs writes it.</summary>
    public static byte[] Udf(int sectors = 24)
    {
        var udf = new byte[sectors * IsoSector];
        var ids = new[] { "BEA01", "NSR02", "TEA01" };
        for (var i = 0; i < ids.Length; i++)
        {
            var d = udf.AsSpan((16 + i) * IsoSector, IsoSector);
            Encoding.ASCII.GetBytes(ids[i]).CopyTo(d[1..]);
            d[6] = 1;
        }

        return udf;
    }

    /// <summary>
    /// A GPT disk as sgdisk writes it: protective MBR (one 0xEE entry from LBA 1), primary header at LBA 1 with a
    /// 128-entry array at LBA 2 holding one Linux partition, and the backup array and header at the end.
    /// </summary>
    public static byte[] GptDisk(long size = 1024 * 1024)
    {
        const int Lba = 512;
        var disk = new byte[size];
        var sectors = size / Lba;

        var mbr = disk.AsSpan(0, Lba);
        var pte = mbr[446..];
        pte[1] = 0x00; pte[2] = 0x02; pte[3] = 0x00;  // start CHS 0/0/2
        pte[4] = 0xEE;                                // GPT protective
        pte[5] = 0xFF; pte[6] = 0xFF; pte[7] = 0xFF;
        BinaryPrimitives.WriteUInt32LittleEndian(pte[8..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(pte[12..], (uint)Math.Min(sectors - 1, uint.MaxValue));
        mbr[510] = 0x55; mbr[511] = 0xAA;

        var entries = new byte[128 * 128];
        var linuxFilesystem = new Guid("0FC63DAF-8483-4772-8E79-3D69D8477DE4");
        linuxFilesystem.TryWriteBytes(entries);
        new Guid("6B1F3A54-2C8E-4B1A-9E43-0123456789AB").TryWriteBytes(entries.AsSpan(16));
        BinaryPrimitives.WriteUInt64LittleEndian(entries.AsSpan(32), 34);
        BinaryPrimitives.WriteUInt64LittleEndian(entries.AsSpan(40), (ulong)(sectors - 34));
        Encoding.Unicode.GetBytes("root").CopyTo(entries.AsSpan(56));
        var entriesCrc = Crc32(entries);

        entries.CopyTo(disk.AsSpan(2 * Lba));
        entries.CopyTo(disk.AsSpan((int)((sectors - 33) * Lba)));
        WriteGptHeader(disk.AsSpan(Lba, Lba), 1, (ulong)(sectors - 1), 2, (ulong)sectors, entriesCrc);
        WriteGptHeader(disk.AsSpan((int)((sectors - 1) * Lba), Lba), (ulong)(sectors - 1), 1, (ulong)(sectors - 33), (ulong)sectors, entriesCrc);
        return disk;
    }

    /// <summary>A LUKS1 header (cryptsetup's on-disk format): magic, version 1, cipher, payload at sector 4096, slot 0 active.</summary>
    public static byte[] Luks1()
    {
        var luks = new byte[4096 * 512 + 4096];
        byte[] magic = [0x4C, 0x55, 0x4B, 0x53, 0xBA, 0xBE];
        magic.CopyTo(luks, 0);
        BinaryPrimitives.WriteUInt16BigEndian(luks.AsSpan(6), 1);
        "aes"u8.CopyTo(luks.AsSpan(8));
        "xts-plain64"u8.CopyTo(luks.AsSpan(40));
        "sha256"u8.CopyTo(luks.AsSpan(72));
        BinaryPrimitives.WriteUInt32BigEndian(luks.AsSpan(104), 4096);   // payload offset (sectors)
        BinaryPrimitives.WriteUInt32BigEndian(luks.AsSpan(108), 64);     // key bytes
        BinaryPrimitives.WriteUInt32BigEndian(luks.AsSpan(164), 1000);   // master key digest iterations
        "0b5e2b8a-4c1d-4f7e-9a3b-2d6c8e1f0a42"u8.CopyTo(luks.AsSpan(168));
        for (var slot = 0; slot < 8; slot++)
        {
            var at = 208 + (slot * 48);
            BinaryPrimitives.WriteUInt32BigEndian(luks.AsSpan(at), slot == 0 ? 0x00AC71F3u : 0x0000DEADu);
            BinaryPrimitives.WriteUInt32BigEndian(luks.AsSpan(at + 40), (uint)(8 + (slot * 512)));
            BinaryPrimitives.WriteUInt32BigEndian(luks.AsSpan(at + 44), 4000);
        }

        return luks;
    }

    private static void WriteGptHeader(Span<byte> h, ulong myLba, ulong alternateLba, ulong entriesLba, ulong sectors, uint entriesCrc)
    {
        "EFI PART"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], 0x00010000);
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], 92);
        BinaryPrimitives.WriteUInt64LittleEndian(h[24..], myLba);
        BinaryPrimitives.WriteUInt64LittleEndian(h[32..], alternateLba);
        BinaryPrimitives.WriteUInt64LittleEndian(h[40..], 34);
        BinaryPrimitives.WriteUInt64LittleEndian(h[48..], sectors - 34);
        new Guid("1C2D3E4F-5A6B-4C7D-8E9F-A0B1C2D3E4F5").TryWriteBytes(h[56..]);
        BinaryPrimitives.WriteUInt64LittleEndian(h[72..], entriesLba);
        BinaryPrimitives.WriteUInt32LittleEndian(h[80..], 128);
        BinaryPrimitives.WriteUInt32LittleEndian(h[84..], 128);
        BinaryPrimitives.WriteUInt32LittleEndian(h[88..], entriesCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], Crc32(h[..92]));
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected), as the UEFI specification uses for GPT headers.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static void BothEndian32(Span<byte> at, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(at, value);
        BinaryPrimitives.WriteUInt32BigEndian(at[4..], value);
    }

    private static void BothEndian16(Span<byte> at, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(at, value);
        BinaryPrimitives.WriteUInt16BigEndian(at[2..], value);
    }
}
