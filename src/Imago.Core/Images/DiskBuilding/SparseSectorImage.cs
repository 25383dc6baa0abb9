using Imago.Formats;

namespace Imago.Core.Images.DiskBuilding;

/// <summary>
/// A disk built in memory as a few non-zero 512-byte sectors over a large virtual size, seen as a raw
/// <see cref="IDiskImage"/>: everything not written is reported as a zero extent, so importing it into the block
/// store stores only the chunks that hold those sectors.
/// </summary>
internal sealed class SparseSectorImage : IDiskImage
{
    public const int SectorSize = 512;

    private readonly SortedDictionary<long, byte[]> _sectors = [];
    private long[]? _index;

    public SparseSectorImage(long virtualSize)
    {
        if (virtualSize <= 0 || virtualSize % SectorSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(virtualSize), "a whole number of sectors is needed");
        }

        VirtualSize = virtualSize;
    }

    public ImageFormat Format => ImageFormat.Raw;

    public long VirtualSize { get; }

    public long SectorCount => VirtualSize / SectorSize;

    public ImageDetails Details => ImageDetails.None;

    /// <summary>Non-zero sectors written so far.</summary>
    public int WrittenSectors => _sectors.Count;

    /// <summary>Writes <paramref name="data"/> at sector <paramref name="lba"/> (the tail of the last sector stays zero).</summary>
    public void Write(long lba, ReadOnlySpan<byte> data)
    {
        for (var i = 0; i * SectorSize < data.Length; i++)
        {
            var sector = lba + i;
            if (sector < 0 || sector >= SectorCount)
            {
                throw new ArgumentOutOfRangeException(nameof(lba), $"sector {sector} is outside the disk");
            }

            var part = data.Slice(i * SectorSize, Math.Min(SectorSize, data.Length - i * SectorSize));
            if (part.IndexOfAnyExcept((byte)0) < 0)
            {
                _sectors.Remove(sector); // zero regions are never stored
                continue;
            }

            var buffer = new byte[SectorSize];
            part.CopyTo(buffer);
            _sectors[sector] = buffer;
        }

        _index = null;
    }

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var span = buffer.Span;
        span.Clear();
        var index = Index();
        var first = offset / SectorSize;
        var position = LowerBound(index, first);
        for (; position < index.Length; position++)
        {
            var sectorStart = index[position] * SectorSize;
            if (sectorStart >= offset + buffer.Length)
            {
                break;
            }

            var data = _sectors[index[position]];
            var from = Math.Max(sectorStart, offset);
            var to = Math.Min(sectorStart + SectorSize, offset + buffer.Length);
            data.AsSpan((int)(from - sectorStart), (int)(to - from)).CopyTo(span[(int)(from - offset)..]);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<DiskExtent> GetExtentAsync(long offset, long maxLength, CancellationToken cancellationToken = default)
    {
        var limit = Math.Min(VirtualSize, offset + maxLength);
        var index = Index();
        var sector = offset / SectorSize;
        var position = LowerBound(index, sector);
        if (position < index.Length && index[position] == sector)
        {
            var last = sector;
            while (position + 1 < index.Length && index[position + 1] == last + 1)
            {
                position++;
                last++;
            }

            var end = Math.Min(limit, (last + 1) * SectorSize);
            return ValueTask.FromResult(new DiskExtent(offset, end - offset, Present: true, Zero: false, Data: true));
        }

        var zeroEnd = position < index.Length ? Math.Min(limit, index[position] * SectorSize) : limit;
        return ValueTask.FromResult(new DiskExtent(offset, zeroEnd - offset, Present: false, Zero: true, Data: false));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // Once written, the disk is only read, by several imports at once (one per region) and their workers: a race
    // here only builds the same sorted key array twice, and the dictionary is safe for concurrent readers.
    private long[] Index() => _index ??= [.. _sectors.Keys];

    private static int LowerBound(long[] sorted, long value)
    {
        var position = Array.BinarySearch(sorted, value);
        return position >= 0 ? position : ~position;
    }
}
