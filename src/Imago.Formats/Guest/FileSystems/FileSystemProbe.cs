using System.Buffers.Binary;

namespace Imago.Formats.Guest.FileSystems;

/// <summary>
/// Names the file system on a volume by its superblock magic, as blkid does: ext2/3/4, XFS, Btrfs, NTFS, FAT,
/// Linux swap and LVM2 physical volumes. Only the first <see cref="ProbeBytes"/> of the volume are read.
/// </summary>
internal static class FileSystemProbe
{
    /// <summary>Up to Btrfs's superblock (64 KiB + 4 KiB) and a 64 KiB-page swap signature.</summary>
    public const int ProbeBytes = 68 * 1024;

    private const int ExtSuperblockOffset = 1024;
    private const int ExtMagicOffset = 0x38;
    private const ushort ExtMagic = 0xEF53;
    private const int ExtCompatOffset = 0x5C;
    private const int ExtIncompatOffset = 0x60;
    private const int ExtRoCompatOffset = 0x64;
    private const uint ExtCompatHasJournal = 0x4;

    /// <summary>Incompat/ro-compat features ext3 does not know: their presence makes the volume ext4.</summary>
    private const uint Ext4OnlyIncompat = 0x40 | 0x80 | 0x200 | 0x400 | 0x8000 | 0x10000 | 0x20000; // extents, 64bit, flex_bg, ea_inode, inline_data, encrypt, casefold

    private const uint Ext4OnlyRoCompat = 0x8 | 0x20 | 0x40 | 0x400; // huge_file, dir_nlink, extra_isize, metadata_csum

    private const int BtrfsMagicOffset = 0x10000 + 0x40;
    private const int NtfsOemOffset = 3;
    private const int LvmLabelSectors = 4;
    private const int LvmTypeOffset = 24;

    private static readonly int[] SwapPageSizes = [4096, 8192, 16384, 65536];

    public static FileSystemKind Identify(ReadOnlySpan<byte> head)
    {
        if (Has(head, 0, "XFSB"u8))
        {
            return FileSystemKind.Xfs;
        }

        if (Has(head, BtrfsMagicOffset, "_BHRfS_M"u8))
        {
            return FileSystemKind.Btrfs;
        }

        if (Has(head, NtfsOemOffset, "NTFS    "u8))
        {
            return FileSystemKind.Ntfs;
        }

        if (head.Length >= ExtSuperblockOffset + 1024
            && BinaryPrimitives.ReadUInt16LittleEndian(head[(ExtSuperblockOffset + ExtMagicOffset)..]) == ExtMagic)
        {
            return ExtKind(head.Slice(ExtSuperblockOffset, 1024));
        }

        for (var sector = 0; sector < LvmLabelSectors; sector++)
        {
            if (Has(head, sector * 512, "LABELONE"u8) && Has(head, (sector * 512) + LvmTypeOffset, "LVM2 001"u8))
            {
                return FileSystemKind.Lvm2;
            }
        }

        foreach (var page in SwapPageSizes)
        {
            if (Has(head, page - 10, "SWAPSPACE2"u8) || Has(head, page - 10, "SWAP-SPACE"u8))
            {
                return FileSystemKind.Swap;
            }
        }

        return Fat.FatBootSector.TryParse(head, out var boot) ? boot.Kind : FileSystemKind.Unknown;
    }

    private static FileSystemKind ExtKind(ReadOnlySpan<byte> superblock)
    {
        var compat = BinaryPrimitives.ReadUInt32LittleEndian(superblock[ExtCompatOffset..]);
        var incompat = BinaryPrimitives.ReadUInt32LittleEndian(superblock[ExtIncompatOffset..]);
        var roCompat = BinaryPrimitives.ReadUInt32LittleEndian(superblock[ExtRoCompatOffset..]);
        if ((incompat & Ext4OnlyIncompat) != 0 || (roCompat & Ext4OnlyRoCompat) != 0)
        {
            return FileSystemKind.Ext4;
        }

        return (compat & ExtCompatHasJournal) != 0 ? FileSystemKind.Ext3 : FileSystemKind.Ext2;
    }

    private static bool Has(ReadOnlySpan<byte> head, int offset, ReadOnlySpan<byte> magic) =>
        head.Length >= offset + magic.Length && head.Slice(offset, magic.Length).SequenceEqual(magic);
}
