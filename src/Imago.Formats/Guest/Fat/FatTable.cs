using System.Buffers.Binary;

namespace Imago.Formats.Guest.Fat;

/// <summary>The first file allocation table: follows cluster chains, one cached FAT sector at a time.</summary>
internal sealed class FatTable(GuestVolumeReader volume, FatBootSector boot)
{
    private long _cachedSector = -1;
    private byte[] _cache = [];

    /// <summary>
    /// The clusters of the chain from <paramref name="first"/>, at most <paramref name="maxClusters"/> of them.
    /// A free, reserved or bad entry, or a cluster out of range, inside the chain is corruption.
    /// </summary>
    public async ValueTask<List<uint>> ChainAsync(uint first, int maxClusters, CancellationToken cancellationToken)
    {
        var chain = new List<uint>();
        var cluster = first;
        var limit = Math.Min(maxClusters, boot.ClusterCount);
        while (chain.Count < limit)
        {
            if (cluster < 2 || cluster >= boot.ClusterCount + 2)
            {
                throw new GuestDataException($"FAT cluster {cluster} is out of range");
            }

            chain.Add(cluster);
            var next = await EntryAsync(cluster, cancellationToken).ConfigureAwait(false);
            if (IsEndOfChain(next))
            {
                break;
            }

            cluster = next;
        }

        return chain;
    }

    private bool IsEndOfChain(uint entry) => boot.Kind switch
    {
        FileSystemKind.Fat12 => entry >= 0xFF8,
        FileSystemKind.Fat16 => entry >= 0xFFF8,
        _ => entry >= 0x0FFFFFF8,
    };

    private async ValueTask<uint> EntryAsync(uint cluster, CancellationToken cancellationToken)
    {
        long byteOffset = boot.Kind switch
        {
            FileSystemKind.Fat12 => cluster + (cluster / 2),
            FileSystemKind.Fat16 => cluster * 2L,
            _ => cluster * 4L,
        };

        // A FAT12 entry may straddle two sectors: read a two-byte window through the cache byte by byte.
        var low = await ByteAsync(byteOffset, cancellationToken).ConfigureAwait(false);
        var high = await ByteAsync(byteOffset + 1, cancellationToken).ConfigureAwait(false);
        if (boot.Kind == FileSystemKind.Fat12)
        {
            var pair = (uint)(low | (high << 8));
            return (cluster & 1) == 0 ? pair & 0xFFF : pair >> 4;
        }

        if (boot.Kind == FileSystemKind.Fat16)
        {
            return (uint)(low | (high << 8));
        }

        var b2 = await ByteAsync(byteOffset + 2, cancellationToken).ConfigureAwait(false);
        var b3 = await ByteAsync(byteOffset + 3, cancellationToken).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt32LittleEndian([low, high, b2, b3]) & 0x0FFFFFFF;
    }

    private async ValueTask<byte> ByteAsync(long offset, CancellationToken cancellationToken)
    {
        if (offset >= boot.FatSectors * boot.BytesPerSector)
        {
            throw new GuestDataException("a FAT entry lies past the FAT");
        }

        var sector = offset / boot.BytesPerSector;
        if (sector != _cachedSector)
        {
            _cache = await volume.ReadAsync(boot.FatOffset + (sector * boot.BytesPerSector), boot.BytesPerSector, cancellationToken).ConfigureAwait(false);
            _cachedSector = sector;
        }

        return _cache[(int)(offset % boot.BytesPerSector)];
    }
}
