using System.Buffers.Binary;

namespace Imago.Formats.Guest.Ext;

/// <summary>
/// The ext2/3/4 superblock (1024 bytes at byte 1024 of the volume; field offsets from the kernel's
/// Documentation/filesystems/ext4/super.rst). Only the geometry needed to find inodes and blocks is kept, and
/// each field is checked against the limits the kernel itself enforces at mount time.
/// </summary>
internal sealed record ExtSuperblock(
    int BlockSize,
    ulong BlocksCount,
    uint InodesCount,
    uint FirstDataBlock,
    uint BlocksPerGroup,
    uint InodesPerGroup,
    int InodeSize,
    int DescriptorSize,
    uint IncompatFeatures,
    uint FirstMetaGroup,
    bool SparseSuper,
    uint[] SparseSuper2Backups)
{
    public const int Offset = 1024;
    public const int Length = 1024;

    private const int InodesCountOffset = 0x00;
    private const int BlocksCountLoOffset = 0x04;
    private const int FirstDataBlockOffset = 0x14;
    private const int LogBlockSizeOffset = 0x18;
    private const int BlocksPerGroupOffset = 0x20;
    private const int InodesPerGroupOffset = 0x28;
    private const int MagicOffset = 0x38;
    private const int RevLevelOffset = 0x4C;
    private const int InodeSizeOffset = 0x58;
    private const int IncompatOffset = 0x60;
    private const int DescSizeOffset = 0xFE;
    private const int BlocksCountHiOffset = 0x150;
    private const int CompatOffset = 0x5C;
    private const int RoCompatOffset = 0x64;
    private const int FirstMetaBgOffset = 0x104;
    private const int BackupGroupsOffset = 0x24C;

    private const uint CompatSparseSuper2 = 0x200;
    private const uint RoCompatSparseSuper = 0x1;

    private const ushort Magic = 0xEF53;
    private const int GoodOldInodeSize = 128;
    private const int MaxLogBlockSize = 6; // 64 KiB blocks
    private const int MinDescriptorSize = 32;
    private const int MinDescriptorSize64 = 64;

    public const uint IncompatCompression = 0x1;
    public const uint IncompatJournalDevice = 0x8;
    public const uint IncompatMetaBg = 0x10;
    public const uint IncompatExtents = 0x40;
    public const uint Incompat64Bit = 0x80;
    public const uint IncompatInlineData = 0x8000;

    public ulong GroupCount => ((BlocksCount - FirstDataBlock) + BlocksPerGroup - 1) / BlocksPerGroup;

    /// <summary>
    /// The block holding group <paramref name="group"/>'s descriptor. Classic layout: the descriptor table right after
    /// the superblock. meta_bg: each "meta group" (as many groups as one block of descriptors describes) keeps its
    /// descriptors in the first block of its first group, after that group's superblock backup if it has one.
    /// </summary>
    public ulong DescriptorBlock(ulong group)
    {
        var perBlock = (ulong)(BlockSize / DescriptorSize);
        var metaGroup = group / perBlock;
        if (metaGroup < FirstMetaGroup)
        {
            return FirstDataBlock + 1 + (group * (ulong)DescriptorSize / (ulong)BlockSize);
        }

        var firstGroup = metaGroup * perBlock;
        return FirstDataBlock + (firstGroup * BlocksPerGroup) + (HasSuperblockBackup(firstGroup) ? 1UL : 0UL);
    }

    /// <summary>sparse_super: groups 0, 1 and powers of 3, 5 and 7; sparse_super2: group 0 and the two listed; else every group.</summary>
    private bool HasSuperblockBackup(ulong group)
    {
        if (group == 0)
        {
            return true;
        }

        if (SparseSuper2Backups.Length > 0)
        {
            return SparseSuper2Backups.Contains((uint)Math.Min(group, uint.MaxValue));
        }

        return !SparseSuper || group == 1 || IsPowerOf(group, 3) || IsPowerOf(group, 5) || IsPowerOf(group, 7);
    }

    private static bool IsPowerOf(ulong value, ulong radix)
    {
        var power = radix;
        while (power < value)
        {
            power *= radix;
        }

        return power == value;
    }

    /// <summary>Parses and validates; null when this is not an ext file system detection can read.</summary>
    public static ExtSuperblock? TryParse(ReadOnlySpan<byte> superblock)
    {
        if (superblock.Length < Length || BinaryPrimitives.ReadUInt16LittleEndian(superblock[MagicOffset..]) != Magic)
        {
            return null;
        }

        var logBlockSize = BinaryPrimitives.ReadUInt32LittleEndian(superblock[LogBlockSizeOffset..]);
        var incompat = BinaryPrimitives.ReadUInt32LittleEndian(superblock[IncompatOffset..]);
        if (logBlockSize > MaxLogBlockSize || (incompat & (IncompatCompression | IncompatJournalDevice)) != 0)
        {
            return null; // nothing to read on a journal device; compression is not implemented
        }

        var blockSize = 1024 << (int)logBlockSize;
        var is64Bit = (incompat & Incompat64Bit) != 0;
        var blocksCount = (ulong)BinaryPrimitives.ReadUInt32LittleEndian(superblock[BlocksCountLoOffset..]);
        if (is64Bit)
        {
            blocksCount |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(superblock[BlocksCountHiOffset..]) << 32;
        }

        var inodeSize = BinaryPrimitives.ReadUInt32LittleEndian(superblock[RevLevelOffset..]) == 0
            ? GoodOldInodeSize
            : BinaryPrimitives.ReadUInt16LittleEndian(superblock[InodeSizeOffset..]);
        var descriptorSize = is64Bit ? BinaryPrimitives.ReadUInt16LittleEndian(superblock[DescSizeOffset..]) : MinDescriptorSize;
        var firstDataBlock = BinaryPrimitives.ReadUInt32LittleEndian(superblock[FirstDataBlockOffset..]);
        var blocksPerGroup = BinaryPrimitives.ReadUInt32LittleEndian(superblock[BlocksPerGroupOffset..]);
        var inodesPerGroup = BinaryPrimitives.ReadUInt32LittleEndian(superblock[InodesPerGroupOffset..]);
        var inodesCount = BinaryPrimitives.ReadUInt32LittleEndian(superblock[InodesCountOffset..]);
        var bitsPerBlock = (uint)blockSize * 8;
        if (inodeSize < GoodOldInodeSize || inodeSize > blockSize || (inodeSize & (inodeSize - 1)) != 0
            || descriptorSize < (is64Bit ? MinDescriptorSize64 : MinDescriptorSize) || descriptorSize > blockSize || (descriptorSize & (descriptorSize - 1)) != 0
            || blocksPerGroup == 0 || blocksPerGroup > bitsPerBlock || inodesPerGroup == 0 || inodesPerGroup > bitsPerBlock
            || firstDataBlock > 1 || blocksCount <= firstDataBlock || inodesCount == 0)
        {
            return null;
        }

        var compat = BinaryPrimitives.ReadUInt32LittleEndian(superblock[CompatOffset..]);
        uint[] backups = (compat & CompatSparseSuper2) != 0
            ? [BinaryPrimitives.ReadUInt32LittleEndian(superblock[BackupGroupsOffset..]), BinaryPrimitives.ReadUInt32LittleEndian(superblock[(BackupGroupsOffset + 4)..])]
            : [];
        var firstMetaGroup = (incompat & IncompatMetaBg) != 0 ? BinaryPrimitives.ReadUInt32LittleEndian(superblock[FirstMetaBgOffset..]) : uint.MaxValue;
        var superblockRecord = new ExtSuperblock(blockSize, blocksCount, inodesCount, firstDataBlock, blocksPerGroup, inodesPerGroup, inodeSize,
            descriptorSize, incompat, firstMetaGroup, (BinaryPrimitives.ReadUInt32LittleEndian(superblock[RoCompatOffset..]) & RoCompatSparseSuper) != 0, backups);
        return (ulong)inodesCount > superblockRecord.GroupCount * inodesPerGroup ? null : superblockRecord;
    }
}
