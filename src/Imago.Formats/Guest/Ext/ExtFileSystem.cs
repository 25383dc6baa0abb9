using System.Buffers.Binary;
using System.Text;
using Imago.Formats.Guest.FileSystems;

namespace Imago.Formats.Guest.Ext;

/// <summary>
/// Reads files, directories and symlinks of an ext2/3/4 volume: group descriptors (32- or 64-byte, flex_bg needs
/// nothing special since descriptors hold absolute block numbers; meta_bg's scattered descriptor blocks), inodes, extent trees and indirect blocks,
/// directories read linearly (an htree's index blocks look like empty entries), inline data in i_block.
/// </summary>
internal sealed class ExtFileSystem : IGuestFileSystem
{
    private const uint RootInode = 2;

    /// <summary>Largest directory read; /etc and /usr/lib on real systems are tens of KiB.</summary>
    private const int MaxDirectoryBytes = 4 << 20;

    private const int InodeTableLoOffset = 0x08;
    private const int InodeTableHiOffset = 0x28;

    private const int DirentHeaderSize = 8;
    private const int InlineDirectoryParentSize = 4;

    private readonly GuestVolumeReader _volume;

    private ExtFileSystem(GuestVolumeReader volume, ExtSuperblock superblock)
    {
        _volume = volume;
        Superblock = superblock;
    }

    public ExtSuperblock Superblock { get; }

    /// <summary>Inode 2; set once by <see cref="OpenAsync"/>.</summary>
    public GuestNode Root { get; private set; } = null!;

    public static async ValueTask<ExtFileSystem?> OpenAsync(GuestVolumeReader volume, CancellationToken cancellationToken)
    {
        if (volume.Length < ExtSuperblock.Offset + ExtSuperblock.Length)
        {
            return null;
        }

        var raw = await volume.ReadAsync(ExtSuperblock.Offset, ExtSuperblock.Length, cancellationToken).ConfigureAwait(false);
        if (ExtSuperblock.TryParse(raw) is not { } superblock)
        {
            return null;
        }

        var fs = new ExtFileSystem(volume, superblock);
        fs.Root = await fs.ReadInodeAsync(RootInode, cancellationToken).ConfigureAwait(false);
        return fs.Root.Kind == GuestNodeKind.Directory ? fs : null;
    }

    public async ValueTask<GuestNode?> LookupAsync(GuestNode directory, string name, CancellationToken cancellationToken)
    {
        var inode = (ExtInode)directory;
        var wanted = Encoding.UTF8.GetBytes(name);
        if (inode.HasInlineData)
        {
            var inline = InlineContent(inode);
            return inline.Length < InlineDirectoryParentSize
                ? null
                : await FindAsync(inline.AsMemory(InlineDirectoryParentSize), wanted, cancellationToken).ConfigureAwait(false);
        }

        var content = await ReadContentAsync(inode, MaxDirectoryBytes, cancellationToken).ConfigureAwait(false);
        for (var block = 0; block < content.Length; block += Superblock.BlockSize)
        {
            var found = await FindAsync(content.AsMemory(block, Math.Min(Superblock.BlockSize, content.Length - block)), wanted, cancellationToken)
                .ConfigureAwait(false);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    public ValueTask<byte[]> ReadFileAsync(GuestNode file, int maxBytes, CancellationToken cancellationToken)
    {
        var inode = (ExtInode)file;
        return inode.HasInlineData ? ValueTask.FromResult(InlineContent(inode)) : ReadContentAsync(inode, maxBytes, cancellationToken);
    }

    public async ValueTask<string> ReadLinkAsync(GuestNode link, CancellationToken cancellationToken)
    {
        var inode = (ExtInode)link;
        var target = inode.IsFastSymlink ? inode.BlockArea.AsSpan(0, (int)inode.Size).ToArray() : await ReadFileAsync(inode, 4096, cancellationToken).ConfigureAwait(false);
        return GuestPaths.DecodeLinkTarget(target);
    }

    public ValueTask<byte[]> ReadBlockAsync(ulong block, CancellationToken cancellationToken)
    {
        if (block >= Superblock.BlocksCount)
        {
            throw new GuestDataException($"ext block {block} lies past the end of the file system");
        }

        return _volume.ReadAsync((long)block * Superblock.BlockSize, Superblock.BlockSize, cancellationToken);
    }

    private async ValueTask<ExtInode> ReadInodeAsync(uint number, CancellationToken cancellationToken)
    {
        if (number == 0 || number > Superblock.InodesCount)
        {
            throw new GuestDataException($"inode {number} does not exist");
        }

        var group = (number - 1) / Superblock.InodesPerGroup;
        var index = (number - 1) % Superblock.InodesPerGroup;
        var descriptorOffset = (long)group * Superblock.DescriptorSize;
        var descriptors = await ReadBlockAsync(Superblock.DescriptorBlock(group), cancellationToken).ConfigureAwait(false);
        var descriptor = descriptors.AsSpan((int)(descriptorOffset % Superblock.BlockSize), Superblock.DescriptorSize);
        ulong inodeTable = BinaryPrimitives.ReadUInt32LittleEndian(descriptor[InodeTableLoOffset..]);
        if (Superblock.DescriptorSize >= 64)
        {
            inodeTable |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(descriptor[InodeTableHiOffset..]) << 32;
        }

        var byteInTable = (long)index * Superblock.InodeSize;
        var block = await ReadBlockAsync(inodeTable + (ulong)(byteInTable / Superblock.BlockSize), cancellationToken).ConfigureAwait(false);
        return ExtInode.Parse(number, block.AsSpan((int)(byteInTable % Superblock.BlockSize), Superblock.InodeSize));
    }

    /// <summary>The file's bytes through its block map, holes as zeros; larger than <paramref name="maxBytes"/> is refused.</summary>
    private async ValueTask<byte[]> ReadContentAsync(ExtInode inode, int maxBytes, CancellationToken cancellationToken)
    {
        if (inode.Size > maxBytes)
        {
            throw new GuestDataException($"a {inode.Size}-byte file is larger than the {maxBytes} bytes detection reads");
        }

        var size = (int)inode.Size;
        var blockCount = (size + Superblock.BlockSize - 1) / Superblock.BlockSize;
        var map = await ExtBlockMap.MapAsync(this, inode, blockCount, cancellationToken).ConfigureAwait(false);
        var content = new byte[size];
        for (var i = 0; i < blockCount; i++)
        {
            if (map[i] == 0)
            {
                continue;
            }

            var block = await ReadBlockAsync(map[i], cancellationToken).ConfigureAwait(false);
            var start = i * Superblock.BlockSize;
            block.AsSpan(0, Math.Min(Superblock.BlockSize, size - start)).CopyTo(content.AsSpan(start));
        }

        return content;
    }

    /// <summary>Inline data that fits in i_block; longer inline files continue in an extended attribute, not read here.</summary>
    private static byte[] InlineContent(ExtInode inode) =>
        inode.Size <= ExtInode.BlockAreaLength
            ? inode.BlockArea.AsSpan(0, (int)inode.Size).ToArray()
            : throw new GuestDataException("inline data continued in extended attributes is not read");

    /// <summary>Scans one directory block's entries for <paramref name="name"/>; a malformed entry ends the block.</summary>
    private async ValueTask<ExtInode?> FindAsync(ReadOnlyMemory<byte> block, byte[] name, CancellationToken cancellationToken)
    {
        var inodeNumber = FindEntry(block.Span, name);
        return inodeNumber == 0 ? null : await ReadInodeAsync(inodeNumber, cancellationToken).ConfigureAwait(false);
    }

    private static uint FindEntry(ReadOnlySpan<byte> block, ReadOnlySpan<byte> name)
    {
        var offset = 0;
        while (offset + DirentHeaderSize <= block.Length)
        {
            var entry = block[offset..];
            var inode = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            int recordLength = BinaryPrimitives.ReadUInt16LittleEndian(entry[4..]);
            int nameLength = entry[6];
            if (recordLength < DirentHeaderSize || recordLength > entry.Length || DirentHeaderSize + nameLength > recordLength)
            {
                return 0;
            }

            if (inode != 0 && entry.Slice(DirentHeaderSize, nameLength).SequenceEqual(name))
            {
                return inode;
            }

            offset += recordLength;
        }

        return 0;
    }
}
