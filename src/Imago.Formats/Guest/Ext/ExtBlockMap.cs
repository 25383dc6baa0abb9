using System.Buffers.Binary;

namespace Imago.Formats.Guest.Ext;

/// <summary>
/// Maps a file's logical blocks to volume blocks: the ext4 extent tree (Documentation/filesystems/ext4/ifork.rst)
/// or the classic direct/indirect/double/triple-indirect pointers of ext2/3. Only the first
/// <c>blockCount</c> logical blocks are mapped; 0 means a hole (reads as zeros).
/// </summary>
internal static class ExtBlockMap
{
    private const ushort ExtentMagic = 0xF30A;
    private const int ExtentHeaderSize = 12;
    private const int ExtentEntrySize = 12;

    /// <summary>The kernel's own limit (EXT4_MAX_EXTENT_DEPTH).</summary>
    private const int MaxExtentDepth = 5;

    /// <summary>Tree nodes read per file: far more than a small file's tree has.</summary>
    private const int MaxExtentNodes = 256;

    /// <summary>Lengths above this mark an uninitialized (preallocated, reads as zeros) extent.</summary>
    private const int MaxInitializedLength = 32768;

    private const int DirectPointers = 12;

    public static ValueTask<ulong[]> MapAsync(ExtFileSystem fs, ExtInode inode, int blockCount, CancellationToken cancellationToken) =>
        inode.UsesExtents ? MapExtentsAsync(fs, inode.BlockArea, blockCount, cancellationToken) : MapIndirectAsync(fs, inode.BlockArea, blockCount, cancellationToken);

    private static async ValueTask<ulong[]> MapExtentsAsync(ExtFileSystem fs, byte[] root, int blockCount, CancellationToken cancellationToken)
    {
        var map = new ulong[blockCount];
        var pending = new Stack<(byte[] Node, int ExpectedDepth)>();
        pending.Push((root, -1));
        var nodes = 0;
        while (pending.Count > 0)
        {
            if (++nodes > MaxExtentNodes)
            {
                throw new GuestDataException("an extent tree has too many nodes");
            }

            var (node, expectedDepth) = pending.Pop();
            var entries = BinaryPrimitives.ReadUInt16LittleEndian(node.AsSpan(2));
            var depth = BinaryPrimitives.ReadUInt16LittleEndian(node.AsSpan(6));
            if (BinaryPrimitives.ReadUInt16LittleEndian(node) != ExtentMagic || depth > MaxExtentDepth
                || (expectedDepth >= 0 && depth != expectedDepth) || ExtentHeaderSize + (entries * ExtentEntrySize) > node.Length)
            {
                throw new GuestDataException("an extent tree node is corrupt");
            }

            for (var i = 0; i < entries; i++)
            {
                var entry = node.AsSpan(ExtentHeaderSize + (i * ExtentEntrySize), ExtentEntrySize);
                var logical = BinaryPrimitives.ReadUInt32LittleEndian(entry);
                if (logical >= (uint)blockCount)
                {
                    continue; // beyond what the caller reads
                }

                if (depth > 0)
                {
                    var child = BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]) | ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(entry[8..]) << 32);
                    pending.Push((await fs.ReadBlockAsync(child, cancellationToken).ConfigureAwait(false), depth - 1));
                    continue;
                }

                int length = BinaryPrimitives.ReadUInt16LittleEndian(entry[4..]);
                var uninitialized = length > MaxInitializedLength;
                length = uninitialized ? length - MaxInitializedLength : length;
                var start = BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]) | ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]) << 32);
                for (var b = 0; b < length && logical + b < blockCount; b++)
                {
                    map[logical + b] = uninitialized ? 0 : start + (ulong)b;
                }
            }
        }

        return map;
    }

    private static async ValueTask<ulong[]> MapIndirectAsync(ExtFileSystem fs, byte[] blockArea, int blockCount, CancellationToken cancellationToken)
    {
        var map = new ulong[blockCount];
        var pointersPerBlock = fs.Superblock.BlockSize / 4;
        var cache = new Dictionary<ulong, byte[]>();
        for (var logical = 0; logical < blockCount; logical++)
        {
            // The path of pointer indexes from i_block down to the data block.
            long index = logical;
            int[] path;
            if (index < DirectPointers)
            {
                path = [(int)index];
            }
            else if ((index -= DirectPointers) < pointersPerBlock)
            {
                path = [12, (int)index];
            }
            else if ((index -= pointersPerBlock) < (long)pointersPerBlock * pointersPerBlock)
            {
                path = [13, (int)(index / pointersPerBlock), (int)(index % pointersPerBlock)];
            }
            else
            {
                index -= (long)pointersPerBlock * pointersPerBlock;
                path = [14, (int)(index / pointersPerBlock / pointersPerBlock), (int)(index / pointersPerBlock % pointersPerBlock), (int)(index % pointersPerBlock)];
            }

            ulong block = BinaryPrimitives.ReadUInt32LittleEndian(blockArea.AsSpan(path[0] * 4));
            for (var level = 1; level < path.Length && block != 0; level++)
            {
                if (!cache.TryGetValue(block, out var pointers))
                {
                    pointers = await fs.ReadBlockAsync(block, cancellationToken).ConfigureAwait(false);
                    cache[block] = pointers;
                }

                block = BinaryPrimitives.ReadUInt32LittleEndian(pointers.AsSpan(path[level] * 4));
            }

            map[logical] = block;
        }

        return map;
    }
}
