using System.Buffers.Binary;
using Imago.Formats.Guest.FileSystems;

namespace Imago.Formats.Guest.Xfs;

/// <summary>An XFS inode's core fields and its data fork (chapter 15: "On-disk Inode").</summary>
internal sealed class XfsInode : GuestNode
{
    public const byte FormatLocal = 1;
    public const byte FormatExtents = 2;

    private const int ModeOffset = 2;
    private const int VersionOffset = 4;
    private const int FormatOffset = 5;
    private const int SizeOffset = 56;
    private const int ExtentCountOffset = 76;
    private const int ForkOffsetOffset = 82;
    private const int CoreSizeV2 = 100;
    private const int CoreSizeV3 = 176;
    private const int ExtentSize = 16;

    private const int TypeMask = 0xF000;

    private XfsInode(GuestNodeKind kind, long size, byte format, byte[] dataFork, int extentCount)
        : base(kind, size)
    {
        Format = format;
        DataFork = dataFork;
        ExtentCount = extentCount;
    }

    public byte Format { get; }

    public byte[] DataFork { get; }

    public int ExtentCount { get; }

    public static XfsInode Parse(ReadOnlySpan<byte> inode)
    {
        if (!inode[..2].SequenceEqual("IN"u8))
        {
            throw new GuestDataException("an XFS inode has no magic");
        }

        var coreSize = inode[VersionOffset] switch
        {
            1 or 2 => CoreSizeV2,
            3 => CoreSizeV3,
            _ => throw new GuestDataException("an XFS inode has an unknown version"),
        };
        var forkOffset = inode[ForkOffsetOffset] * 8;
        var forkLength = forkOffset == 0 ? inode.Length - coreSize : forkOffset;
        if (coreSize + forkLength > inode.Length)
        {
            throw new GuestDataException("an XFS inode's attribute fork offset is out of range");
        }

        var kind = (BinaryPrimitives.ReadUInt16BigEndian(inode[ModeOffset..]) & TypeMask) switch
        {
            0x4000 => GuestNodeKind.Directory,
            0x8000 => GuestNodeKind.File,
            0xA000 => GuestNodeKind.Symlink,
            _ => GuestNodeKind.Other,
        };
        var size = BinaryPrimitives.ReadUInt64BigEndian(inode[SizeOffset..]);
        var extents = BinaryPrimitives.ReadUInt32BigEndian(inode[ExtentCountOffset..]);
        var format = inode[FormatOffset];
        if (size > long.MaxValue || (format == FormatExtents && extents > forkLength / ExtentSize))
        {
            throw new GuestDataException("an XFS inode's size or extent count is out of range");
        }

        return new XfsInode(kind, (long)size, format, inode.Slice(coreSize, forkLength).ToArray(), (int)extents);
    }

    /// <summary>The data fork's extent records: (file offset, file system block, length), in blocks.</summary>
    public IEnumerable<(ulong Offset, ulong Block, uint Length)> Extents()
    {
        for (var i = 0; i < ExtentCount; i++)
        {
            var l0 = BinaryPrimitives.ReadUInt64BigEndian(DataFork.AsSpan(i * ExtentSize));
            var l1 = BinaryPrimitives.ReadUInt64BigEndian(DataFork.AsSpan((i * ExtentSize) + 8));
            var offset = (l0 & 0x7FFFFFFFFFFFFFFF) >> 9;
            var block = ((l0 & 0x1FF) << 43) | (l1 >> 21);
            var length = (uint)(l1 & 0x1FFFFF);
            var unwritten = (l0 >> 63) != 0;
            if (!unwritten)
            {
                yield return (offset, block, length);
            }
        }
    }
}
