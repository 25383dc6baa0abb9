using System.Buffers.Binary;

namespace Imago.Formats.Guest.Xfs;

/// <summary>
/// The XFS superblock (big-endian, at byte 0 of the volume; "XFS Algorithms &amp; Data Structures", chapter 12).
/// Only the geometry needed to locate inodes and blocks is kept, checked for consistency as xfs_repair does.
/// </summary>
internal sealed record XfsSuperblock(
    int BlockSize,
    ulong DataBlocks,
    ulong RootInode,
    uint AgBlocks,
    uint AgCount,
    int InodeSize,
    int InodesPerBlockLog,
    int AgBlocksLog,
    int DirectoryBlockSize,
    bool IsV5,
    bool HasFileType)
{
    public const int Length = 512;

    private const int BlockSizeOffset = 4;
    private const int DataBlocksOffset = 8;
    private const int RootInodeOffset = 56;
    private const int AgBlocksOffset = 84;
    private const int AgCountOffset = 88;
    private const int VersionOffset = 100;
    private const int InodeSizeOffset = 104;
    private const int BlockLogOffset = 120;
    private const int InodeLogOffset = 122;
    private const int InodesPerBlockLogOffset = 123;
    private const int AgBlocksLogOffset = 124;
    private const int DirectoryBlockLogOffset = 192;
    private const int Features2Offset = 200;
    private const int IncompatOffset = 216;

    private const int VersionMask = 0xF;
    private const int Version5 = 5;
    private const ushort VersionMoreBits = 0x8000;
    private const uint Features2FileType = 0x200;
    private const uint IncompatFileType = 0x1;

    private const int MinBlockLog = 9;
    private const int MaxBlockLog = 16;
    private const int MaxAgCount = 1 << 20;

    /// <summary>Byte offset of a file system block number (AG number in the high bits, AG block in the low).</summary>
    public long FsBlockOffset(ulong fsBlock)
    {
        var ag = fsBlock >> AgBlocksLog;
        var agBlock = fsBlock & ((1UL << AgBlocksLog) - 1);
        if (ag >= AgCount || agBlock >= AgBlocks)
        {
            throw new GuestDataException($"XFS block {fsBlock} lies outside the file system");
        }

        return (long)((ag * AgBlocks) + agBlock) * BlockSize;
    }

    public static XfsSuperblock? TryParse(ReadOnlySpan<byte> sb)
    {
        if (sb.Length < Length || !sb[..4].SequenceEqual("XFSB"u8))
        {
            return null;
        }

        var blockSize = BinaryPrimitives.ReadUInt32BigEndian(sb[BlockSizeOffset..]);
        int blockLog = sb[BlockLogOffset];
        int inodeLog = sb[InodeLogOffset];
        int inodesPerBlockLog = sb[InodesPerBlockLogOffset];
        int agBlocksLog = sb[AgBlocksLogOffset];
        int inodeSize = BinaryPrimitives.ReadUInt16BigEndian(sb[InodeSizeOffset..]);
        var agBlocks = BinaryPrimitives.ReadUInt32BigEndian(sb[AgBlocksOffset..]);
        var agCount = BinaryPrimitives.ReadUInt32BigEndian(sb[AgCountOffset..]);
        var version = BinaryPrimitives.ReadUInt16BigEndian(sb[VersionOffset..]);
        int directoryBlockLog = sb[DirectoryBlockLogOffset];
        if (blockLog is < MinBlockLog or > MaxBlockLog || blockSize != 1u << blockLog || inodeLog is < 8 or > 11 || inodeSize != 1 << inodeLog
            || inodesPerBlockLog != blockLog - inodeLog || agBlocksLog is 0 or > 31 || agBlocks == 0 || agBlocks > 1u << agBlocksLog
            || agCount == 0 || agCount > MaxAgCount || blockLog + directoryBlockLog > MaxBlockLog)
        {
            return null;
        }

        var isV5 = (version & VersionMask) == Version5;
        var hasFileType = isV5
            ? (BinaryPrimitives.ReadUInt32BigEndian(sb[IncompatOffset..]) & IncompatFileType) != 0
            : (version & VersionMoreBits) != 0 && (BinaryPrimitives.ReadUInt32BigEndian(sb[Features2Offset..]) & Features2FileType) != 0;
        return new XfsSuperblock((int)blockSize, BinaryPrimitives.ReadUInt64BigEndian(sb[DataBlocksOffset..]),
            BinaryPrimitives.ReadUInt64BigEndian(sb[RootInodeOffset..]), agBlocks, agCount, inodeSize, inodesPerBlockLog, agBlocksLog,
            1 << (blockLog + directoryBlockLog), isV5, hasFileType);
    }
}
