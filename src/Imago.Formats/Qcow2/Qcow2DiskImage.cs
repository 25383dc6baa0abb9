using System.Buffers;
using System.Buffers.Binary;
using Imago.Formats.IO;

namespace Imago.Formats.Qcow2;

/// <summary>
/// Reads a qcow2 v2/v3 image: zero and compressed clusters, extended L2 subclusters, any cluster size
/// from 512 B to 2 MiB. Safe for concurrent reads: the only shared mutable state is the L2 cache.
/// </summary>
internal sealed class Qcow2DiskImage : IDiskImage
{
    private readonly IByteSource _source;
    private readonly Qcow2Metadata _meta;
    private readonly Qcow2Geometry _geometry;
    private readonly Qcow2L2Cache _cache;
    private readonly Qcow2Decompressor _decompressor;

    private Qcow2DiskImage(IByteSource source, Qcow2Metadata meta)
    {
        _source = source;
        _meta = meta;
        _geometry = meta.Geometry;
        _cache = new Qcow2L2Cache(_geometry.ClusterSize);
        _decompressor = new Qcow2Decompressor(meta.Header.CompressionType);
        Details = BuildDetails(meta.Header);
    }

    public ImageFormat Format => ImageFormat.Qcow2;

    public long VirtualSize => _meta.Header.VirtualSize;

    public ImageDetails Details { get; }

    internal Qcow2Header Header => _meta.Header;

    public static async ValueTask<IDiskImage> OpenAsync(IByteSource source, CancellationToken cancellationToken)
    {
        try
        {
            var meta = await Qcow2Metadata.ReadAsync(source, cancellationToken).ConfigureAwait(false);
            return new Qcow2DiskImage(source, meta);
        }
        catch (Exception e) when (Qcow2Errors.IsUnexpected(e))
        {
            throw Qcow2Errors.Wrap(e);
        }
    }

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (offset < 0 || offset > VirtualSize || buffer.Length > VirtualSize - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), "the read extends past the virtual disk");
        }

        try
        {
            var done = 0;
            while (done < buffer.Length)
            {
                var pos = offset + done;
                var run = await ResolveAsync(pos, buffer.Length - done, forMap: false, cancellationToken).ConfigureAwait(false);
                var target = buffer.Slice(done, (int)run.Length);
                switch (run.Kind)
                {
                    case Qcow2UnitKind.Data:
                        await ReadDataAsync(run.HostOffset, target, cancellationToken).ConfigureAwait(false);
                        break;
                    case Qcow2UnitKind.Compressed:
                        await ReadCompressedAsync(pos, run.Entry, target, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        target.Span.Clear();
                        break;
                }

                done += (int)run.Length;
            }
        }
        catch (Exception e) when (Qcow2Errors.IsUnexpected(e))
        {
            throw Qcow2Errors.Wrap(e);
        }
    }

    public async ValueTask<DiskExtent> GetExtentAsync(long offset, long maxLength, CancellationToken cancellationToken = default)
    {
        if (offset < 0 || offset >= VirtualSize || maxLength <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), "the extent must start inside the virtual disk");
        }

        try
        {
            var run = await ResolveAsync(offset, Math.Min(maxLength, VirtualSize - offset), forMap: true, cancellationToken)
                .ConfigureAwait(false);
            long? host = run.HostOffset >= 0 ? run.HostOffset : null;
            return run.Kind switch
            {
                Qcow2UnitKind.Data => new DiskExtent(offset, run.Length, Present: true, Zero: false, Data: true, host),
                Qcow2UnitKind.Compressed => new DiskExtent(offset, run.Length, Present: true, Zero: false, Data: true, null, Compressed: true),
                Qcow2UnitKind.Zero or Qcow2UnitKind.ZeroInHostCluster => new DiskExtent(offset, run.Length, Present: true, Zero: true, Data: false, host),
                _ => new DiskExtent(offset, run.Length, Present: false, Zero: true, Data: false, host),
            };
        }
        catch (Exception e) when (Qcow2Errors.IsUnexpected(e))
        {
            throw Qcow2Errors.Wrap(e);
        }
    }

    public ValueTask DisposeAsync()
    {
        _decompressor.Dispose();
        _source.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>One run of units with the same kind (and, for host-backed kinds, contiguous host bytes).</summary>
    private readonly record struct Run(long Length, Qcow2UnitKind Kind, long HostOffset, ulong Entry);

    /// <summary>
    /// The longest run starting at <paramref name="position"/> (at most <paramref name="maxLength"/> bytes,
    /// never past the current L2 table) whose units share a kind. For reads, every kind that reads as
    /// zeros counts as one and compressed runs stop at the cluster end; for map, the statuses qemu-img map
    /// distinguishes are kept apart and host offsets must stay contiguous.
    /// </summary>
    private async ValueTask<Run> ResolveAsync(long position, long maxLength, bool forMap, CancellationToken cancellationToken)
    {
        var g = _geometry;
        var l1Index = g.L1Index(position);
        var tableEnd = (long)(l1Index + 1) * g.L2Coverage;
        var end = Math.Min(position + maxLength, tableEnd);
        var l2Offset = (long)(_meta.L1[l1Index] & Qcow2Constants.L1OffsetMask);
        if (l2Offset == 0)
        {
            // Consecutive empty L1 entries make one run: with small clusters an L2 table maps little.
            var limit = position + maxLength;
            var next = l1Index + 1;
            while (end < limit && next < _meta.L1.Length && (_meta.L1[next] & Qcow2Constants.L1OffsetMask) == 0)
            {
                end = Math.Min(limit, (long)(next + 1) * g.L2Coverage);
                next++;
            }

            return new Run(end - position, Qcow2UnitKind.Unallocated, -1, 0);
        }

        var table = await GetL2TableAsync(l2Offset, cancellationToken).ConfigureAwait(false);
        var version3 = _meta.Header.Version >= 3;
        var firstKind = Qcow2UnitKind.Unallocated;
        long firstHost = -1;
        ulong firstEntry = 0;
        var cursor = position;
        while (cursor < end)
        {
            var index = g.L2Index(cursor);
            var entry = BinaryPrimitives.ReadUInt64BigEndian(table.AsSpan(index * g.L2EntryBytes));
            var bitmap = g.ExtendedL2 ? BinaryPrimitives.ReadUInt64BigEndian(table.AsSpan(index * g.L2EntryBytes + 8)) : 0;
            var compressed = (entry & Qcow2Constants.FlagCompressed) != 0;
            var unitBits = compressed ? g.ClusterBits : g.SubclusterBits;
            var subcluster = g.ExtendedL2 ? (int)((cursor >> g.SubclusterBits) & 31) : 0;
            var kind = Qcow2L2Entry.Classify(entry, bitmap, subcluster, g.ExtendedL2, version3)
                ?? throw Qcow2Metadata.Corrupt($"invalid L2 entry 0x{entry:x16}/0x{bitmap:x16} for virtual offset {cursor}");
            var host = HostFor(kind, entry, cursor);
            var unitEnd = Math.Min(((cursor >> unitBits) + 1) << unitBits, end);

            if (cursor == position)
            {
                firstKind = kind;
                firstHost = host;
                firstEntry = entry;
            }
            else if (!Continues(firstKind, firstHost + (cursor - position), kind, host, forMap))
            {
                break;
            }

            cursor = unitEnd;
        }

        if (!forMap && IsZeroKind(firstKind))
        {
            return new Run(cursor - position, Qcow2UnitKind.Zero, -1, 0);
        }

        return new Run(cursor - position, firstKind, firstHost, firstEntry);
    }

    private long HostFor(Qcow2UnitKind kind, ulong entry, long virtualOffset)
    {
        if (kind is Qcow2UnitKind.Compressed or Qcow2UnitKind.Zero or Qcow2UnitKind.Unallocated)
        {
            return -1;
        }

        var cluster = Qcow2L2Entry.HostOffset(entry);
        if (!_geometry.IsClusterAligned(cluster))
        {
            throw Qcow2Metadata.Corrupt($"the cluster at virtual offset {virtualOffset} maps to unaligned host offset 0x{cluster:x}");
        }

        if (kind == Qcow2UnitKind.Data)
        {
            if (cluster >= _meta.FileLength)
            {
                throw Qcow2Metadata.Corrupt($"the cluster at virtual offset {virtualOffset} lies past the end of the file");
            }

            if (_meta.OverlapsMetadata(cluster))
            {
                throw Qcow2Metadata.Corrupt($"the cluster at virtual offset {virtualOffset} overlaps metadata at 0x{cluster:x}");
            }
        }

        return cluster + _geometry.OffsetInCluster(virtualOffset);
    }

    private static bool IsZeroKind(Qcow2UnitKind kind) => kind is not (Qcow2UnitKind.Data or Qcow2UnitKind.Compressed);

    private static bool Continues(Qcow2UnitKind kind, long expectedHost, Qcow2UnitKind next, long nextHost, bool forMap)
    {
        if (!forMap)
        {
            return kind switch
            {
                Qcow2UnitKind.Data => next == Qcow2UnitKind.Data && nextHost == expectedHost,
                Qcow2UnitKind.Compressed => false,
                _ => IsZeroKind(next),
            };
        }

        if (next != kind)
        {
            return false;
        }

        return kind switch
        {
            Qcow2UnitKind.Data or Qcow2UnitKind.ZeroInHostCluster or Qcow2UnitKind.UnallocatedInHostCluster => nextHost == expectedHost,
            _ => true,
        };
    }

    private async ValueTask<byte[]> GetL2TableAsync(long offset, CancellationToken cancellationToken)
    {
        if (_cache.TryGet(offset, out var table))
        {
            return table;
        }

        table = new byte[_geometry.ClusterSize];
        await _source.ReadExactlyAsync(offset, table, ImageFormat.Qcow2, "an L2 table", cancellationToken).ConfigureAwait(false);
        return _cache.Add(offset, table);
    }

    private async ValueTask ReadDataAsync(long host, Memory<byte> target, CancellationToken cancellationToken)
    {
        // A last cluster cut short by the end of the file reads as zeros past it, as in qemu; so does a
        // subcluster that extended L2 marks allocated wholly past the end.
        var available = (int)Math.Clamp(_meta.FileLength - host, 0, target.Length);
        await _source.ReadExactlyAsync(host, target[..available], ImageFormat.Qcow2, "a data cluster", cancellationToken)
            .ConfigureAwait(false);
        target.Span[available..].Clear();
    }

    private async ValueTask ReadCompressedAsync(long position, ulong entry, Memory<byte> target, CancellationToken cancellationToken)
    {
        var g = _geometry;
        var (hostOffset, length) = g.DecodeCompressed(entry);
        if (hostOffset < g.ClusterSize || hostOffset >= _meta.FileLength)
        {
            throw Qcow2Metadata.Corrupt($"the compressed cluster at virtual offset {position} points outside the file (0x{hostOffset:x})");
        }

        length = (int)Math.Min(length, _meta.FileLength - hostOffset);
        var compressed = ArrayPool<byte>.Shared.Rent(length);
        var wholeCluster = target.Length == g.ClusterSize;
        var cluster = wholeCluster ? null : ArrayPool<byte>.Shared.Rent(g.ClusterSize);
        try
        {
            await _source.ReadExactlyAsync(hostOffset, compressed.AsMemory(0, length), ImageFormat.Qcow2, "a compressed cluster",
                cancellationToken).ConfigureAwait(false);
            var output = wholeCluster ? target.Span : cluster.AsSpan(0, g.ClusterSize);
            if (!_decompressor.Decompress(compressed.AsSpan(0, length), output))
            {
                throw Qcow2Metadata.Corrupt($"the compressed cluster at virtual offset {position} does not decompress to one cluster");
            }

            if (!wholeCluster)
            {
                cluster.AsSpan((int)g.OffsetInCluster(position), target.Length).CopyTo(target.Span);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
            if (cluster is not null)
            {
                ArrayPool<byte>.Shared.Return(cluster);
            }
        }
    }

    private static ImageDetails BuildDetails(Qcow2Header header)
    {
        var specific = new Dictionary<string, object?>
        {
            ["compat"] = header.Version >= 3 ? "1.1" : "0.10",
            ["compression-type"] = header.CompressionType == Qcow2Constants.CompressionZstd ? "zstd" : "zlib",
        };
        if (header.Version >= 3)
        {
            specific["lazy-refcounts"] = header.LazyRefcounts;
        }

        specific["refcount-bits"] = header.RefcountBits;
        if (header.Version >= 3)
        {
            specific["corrupt"] = header.CorruptFlag;
            specific["extended-l2"] = header.ExtendedL2;
        }

        return new ImageDetails(header.ClusterSize, header.Dirty, specific);
    }
}
