using System.Buffers.Binary;
using Imago.Formats.Guest.FileSystems;

namespace Imago.Formats.Guest.Ext;

/// <summary>An ext inode's fields detection uses (Documentation/filesystems/ext4/inodes.rst).</summary>
internal sealed class ExtInode : GuestNode
{
    /// <summary>i_block: 15 block pointers, an extent tree root, a fast symlink's target or inline data.</summary>
    public const int BlockAreaLength = 60;

    private const int ModeOffset = 0x00;
    private const int SizeLoOffset = 0x04;
    private const int FlagsOffset = 0x20;
    private const int BlockOffset = 0x28;
    private const int SizeHighOffset = 0x6C;

    private const int TypeMask = 0xF000;
    private const int TypeDirectory = 0x4000;
    private const int TypeFile = 0x8000;
    private const int TypeSymlink = 0xA000;

    private const uint FlagExtents = 0x80000;
    private const uint FlagInlineData = 0x10000000;

    private ExtInode(uint number, GuestNodeKind kind, long size, uint flags, byte[] blockArea)
        : base(kind, size)
    {
        Number = number;
        Flags = flags;
        BlockArea = blockArea;
    }

    public uint Number { get; }

    public uint Flags { get; }

    public byte[] BlockArea { get; }

    public bool UsesExtents => (Flags & FlagExtents) != 0;

    public bool HasInlineData => (Flags & FlagInlineData) != 0;

    /// <summary>A symlink whose target lives in i_block itself (shorter than 60 bytes, no extents, no inline data).</summary>
    public bool IsFastSymlink => Kind == GuestNodeKind.Symlink && Size < BlockAreaLength && !UsesExtents && !HasInlineData;

    public static ExtInode Parse(uint number, ReadOnlySpan<byte> inode)
    {
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(inode[ModeOffset..]);
        var kind = (mode & TypeMask) switch
        {
            TypeDirectory => GuestNodeKind.Directory,
            TypeFile => GuestNodeKind.File,
            TypeSymlink => GuestNodeKind.Symlink,
            _ => GuestNodeKind.Other,
        };
        var size = (long)BinaryPrimitives.ReadUInt32LittleEndian(inode[SizeLoOffset..])
            | ((long)(BinaryPrimitives.ReadUInt32LittleEndian(inode[SizeHighOffset..]) & 0x7FFFFFFF) << 32);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(inode[FlagsOffset..]);
        return new ExtInode(number, kind, size, flags, inode.Slice(BlockOffset, BlockAreaLength).ToArray());
    }
}
