using System.Buffers.Binary;
using System.Text;
using Imago.Formats.Guest.FileSystems;

namespace Imago.Formats.Guest.Xfs;

/// <summary>
/// Reads files, directories and symlinks of an XFS volume (v4 and v5/CRC): inodes located from their numbers,
/// shortform directories in the inode, block and leaf directories through their data blocks (the hash index is
/// not needed to find a name by scanning), extent-mapped files. B+tree-mapped files and directories (very large
/// or very fragmented ones) are not read.
/// </summary>
internal sealed class XfsFileSystem : IGuestFileSystem
{
    private const int MaxDirectoryBytes = 4 << 20;

    private const int DataHeaderV4 = 16;
    private const int DataHeaderV5 = 64;
    private const int BlockTailSize = 8;
    private const int LeafEntrySize = 8;
    private const ushort FreeTag = 0xFFFF;
    private const int RemoteSymlinkHeader = 56;

    private readonly GuestVolumeReader _volume;
    private readonly XfsSuperblock _sb;

    private XfsFileSystem(GuestVolumeReader volume, XfsSuperblock sb)
    {
        _volume = volume;
        _sb = sb;
    }

    /// <summary>The root directory's inode; set once by <see cref="OpenAsync"/>.</summary>
    public GuestNode Root { get; private set; } = null!;

    public static async ValueTask<XfsFileSystem?> OpenAsync(GuestVolumeReader volume, CancellationToken cancellationToken)
    {
        if (volume.Length < XfsSuperblock.Length
            || XfsSuperblock.TryParse(await volume.ReadAsync(0, XfsSuperblock.Length, cancellationToken).ConfigureAwait(false)) is not { } sb)
        {
            return null;
        }

        var fs = new XfsFileSystem(volume, sb);
        fs.Root = await fs.ReadInodeAsync(sb.RootInode, cancellationToken).ConfigureAwait(false);
        return fs.Root.Kind == GuestNodeKind.Directory ? fs : null;
    }

    public async ValueTask<GuestNode?> LookupAsync(GuestNode directory, string name, CancellationToken cancellationToken)
    {
        var inode = (XfsInode)directory;
        var wanted = Encoding.UTF8.GetBytes(name);
        if (inode.Format == XfsInode.FormatLocal)
        {
            return FindShortform(inode.DataFork, wanted) is var local and not 0 ? await ReadInodeAsync(local, cancellationToken).ConfigureAwait(false) : null;
        }

        var content = await ReadContentAsync(inode, MaxDirectoryBytes, cancellationToken).ConfigureAwait(false);
        for (var block = 0; block + _sb.DirectoryBlockSize <= content.Length; block += _sb.DirectoryBlockSize)
        {
            var found = FindInDataBlock(content.AsSpan(block, _sb.DirectoryBlockSize), wanted);
            if (found != 0)
            {
                return await ReadInodeAsync(found, cancellationToken).ConfigureAwait(false);
            }
        }

        return null;
    }

    public ValueTask<byte[]> ReadFileAsync(GuestNode file, int maxBytes, CancellationToken cancellationToken) =>
        ReadContentAsync((XfsInode)file, maxBytes, cancellationToken);

    public async ValueTask<string> ReadLinkAsync(GuestNode link, CancellationToken cancellationToken)
    {
        var inode = (XfsInode)link;
        var target = inode.Format == XfsInode.FormatExtents && _sb.IsV5
            ? await ReadRemoteSymlinkAsync(inode, cancellationToken).ConfigureAwait(false)
            : await ReadContentAsync(inode, 4096, cancellationToken).ConfigureAwait(false);
        return GuestPaths.DecodeLinkTarget(target);
    }

    /// <summary>A v5 symlink stored in a block: the block starts with a self-describing header ("XSLM").</summary>
    private async ValueTask<byte[]> ReadRemoteSymlinkAsync(XfsInode inode, CancellationToken cancellationToken)
    {
        var (_, fsBlock, _) = inode.Extents().FirstOrDefault();
        var block = await _volume.ReadAsync(_sb.FsBlockOffset(fsBlock), _sb.BlockSize, cancellationToken).ConfigureAwait(false);
        if (!block.AsSpan(0, 4).SequenceEqual("XSLM"u8) || inode.Size > _sb.BlockSize - RemoteSymlinkHeader)
        {
            throw new GuestDataException("an XFS symlink block is corrupt");
        }

        return block.AsSpan(RemoteSymlinkHeader, (int)inode.Size).ToArray();
    }

    private async ValueTask<XfsInode> ReadInodeAsync(ulong number, CancellationToken cancellationToken)
    {
        var agShift = _sb.AgBlocksLog + _sb.InodesPerBlockLog;
        var ag = number >> agShift;
        var agInode = number & ((1UL << agShift) - 1);
        var agBlock = agInode >> _sb.InodesPerBlockLog;
        var index = agInode & ((1UL << _sb.InodesPerBlockLog) - 1);
        if (ag >= _sb.AgCount || agBlock >= _sb.AgBlocks)
        {
            throw new GuestDataException($"XFS inode {number} lies outside the file system");
        }

        var offset = (long)((ag * _sb.AgBlocks) + agBlock) * _sb.BlockSize + ((long)index * _sb.InodeSize);
        return XfsInode.Parse(await _volume.ReadAsync(offset, _sb.InodeSize, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Inline (local) or extent-mapped content, holes as zeros; larger than <paramref name="maxBytes"/> is refused.</summary>
    private async ValueTask<byte[]> ReadContentAsync(XfsInode inode, int maxBytes, CancellationToken cancellationToken)
    {
        if (inode.Size > maxBytes)
        {
            throw new GuestDataException($"a {inode.Size}-byte file is larger than the {maxBytes} bytes detection reads");
        }

        var size = (int)inode.Size;
        if (inode.Format == XfsInode.FormatLocal)
        {
            return size <= inode.DataFork.Length ? inode.DataFork[..size] : throw new GuestDataException("XFS inline data is longer than its fork");
        }

        if (inode.Format != XfsInode.FormatExtents)
        {
            throw new GuestDataException("XFS B+tree-mapped files are not read");
        }

        var content = new byte[size];
        var blocks = (size + _sb.BlockSize - 1) / _sb.BlockSize;
        foreach (var (offset, fsBlock, length) in inode.Extents())
        {
            for (ulong b = 0; b < length && offset + b < (ulong)blocks; b++)
            {
                var start = (int)(offset + b) * _sb.BlockSize;
                var data = await _volume.ReadAsync(_sb.FsBlockOffset(fsBlock + b), _sb.BlockSize, cancellationToken).ConfigureAwait(false);
                data.AsSpan(0, Math.Min(_sb.BlockSize, size - start)).CopyTo(content.AsSpan(start));
            }
        }

        return content;
    }

    /// <summary>Shortform directory: count, i8count, parent, then {namelen, offset, name, [ftype], inumber} entries.</summary>
    private ulong FindShortform(ReadOnlySpan<byte> fork, ReadOnlySpan<byte> name)
    {
        if (fork.Length < 2)
        {
            return 0;
        }

        int count = fork[0];
        var inodeBytes = fork[1] == 0 ? 4 : 8;
        var position = 2 + inodeBytes;
        for (var i = 0; i < count; i++)
        {
            if (position + 3 > fork.Length)
            {
                return 0;
            }

            int nameLength = fork[position];
            var entryLength = 3 + nameLength + (_sb.HasFileType ? 1 : 0) + inodeBytes;
            if (position + entryLength > fork.Length)
            {
                return 0;
            }

            if (fork.Slice(position + 3, nameLength).SequenceEqual(name))
            {
                var at = fork[(position + entryLength - inodeBytes)..];
                return inodeBytes == 4 ? BinaryPrimitives.ReadUInt32BigEndian(at) : BinaryPrimitives.ReadUInt64BigEndian(at) & 0x00FFFFFFFFFFFFFF;
            }

            position += entryLength;
        }

        return 0;
    }

    /// <summary>One directory data block ("XD2B"/"XDB3" single-block form, or "XD2D"/"XDD3" data blocks): scans its entries.</summary>
    private ulong FindInDataBlock(ReadOnlySpan<byte> block, ReadOnlySpan<byte> name)
    {
        var magic = block[..4];
        var isBlockForm = magic.SequenceEqual("XD2B"u8) || magic.SequenceEqual("XDB3"u8);
        if (!isBlockForm && !magic.SequenceEqual("XD2D"u8) && !magic.SequenceEqual("XDD3"u8))
        {
            return 0; // a leaf or free-index block, or garbage
        }

        var end = block.Length;
        if (isBlockForm)
        {
            var leafCount = BinaryPrimitives.ReadUInt32BigEndian(block[^BlockTailSize..]);
            if (leafCount > (uint)(block.Length / LeafEntrySize))
            {
                return 0;
            }

            end = block.Length - BlockTailSize - ((int)leafCount * LeafEntrySize);
        }

        var position = _sb.IsV5 ? DataHeaderV5 : DataHeaderV4;
        while (position + 16 <= end)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(block[position..]) == FreeTag)
            {
                int free = BinaryPrimitives.ReadUInt16BigEndian(block[(position + 2)..]);
                if (free < 8 || free % 8 != 0)
                {
                    return 0;
                }

                position += free;
                continue;
            }

            int nameLength = block[position + 8];
            var entryLength = (8 + 1 + nameLength + (_sb.HasFileType ? 1 : 0) + 2 + 7) & ~7;
            if (position + entryLength > end)
            {
                return 0;
            }

            if (block.Slice(position + 9, nameLength).SequenceEqual(name))
            {
                return BinaryPrimitives.ReadUInt64BigEndian(block[position..]);
            }

            position += entryLength;
        }

        return 0;
    }
}
