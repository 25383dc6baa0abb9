using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Imago.Formats.Checking;
using Imago.Formats.IO;
using static Imago.Formats.Qcow2.Qcow2Constants;

namespace Imago.Formats.Qcow2;

/// <summary>
/// Checks a qcow2 image as qemu-img check does: rebuilds every cluster's reference count from the header,
/// the active and snapshot L1/L2 tables, the snapshot table and the refcount structures, then compares it
/// with the stored refcounts (stored lower: corruption; higher: leak) and checks the copied flags.
/// A header too broken to walk counts as one corruption (exit code 2) rather than a failure to check;
/// unsafe images (backing file, data file, encryption) are still refused with an exception.
/// </summary>
internal static class Qcow2Checker
{
    public static async ValueTask<CheckReport> CheckAsync(IByteSource source, CancellationToken cancellationToken)
    {
        Qcow2Header header;
        try
        {
            header = await Qcow2Metadata.ReadHeaderAsync(source, cancellationToken).ConfigureAwait(false);
        }
        catch (ImageFormatException e) when (e.Kind is ImageErrorKind.Corrupt or ImageErrorKind.Truncated or ImageErrorKind.TooLarge)
        {
            return new CheckReport { Format = ImageFormat.Qcow2, Corruptions = 1, Messages = [e.Message] };
        }
        catch (Exception e) when (Qcow2Errors.IsUnexpected(e))
        {
            return new CheckReport { Format = ImageFormat.Qcow2, Corruptions = 1, Messages = [Qcow2Errors.Wrap(e).Message] };
        }

        try
        {
            var run = new Qcow2CheckRun(source, header);
            return await run.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Qcow2Errors.IsUnexpected(e))
        {
            throw Qcow2Errors.Wrap(e);
        }
    }
}

/// <summary>The state of one check: computed reference counts, counters and messages.</summary>
internal sealed class Qcow2CheckRun
{
    /// <summary>L1 entries walked over all L1 tables (active and snapshots) before the check gives up: 512 MiB of L1.</summary>
    private const long MaxL1EntriesWalked = 64L << 20;

    private const int MaxMessages = 200;

    private readonly IByteSource _source;
    private readonly Qcow2Header _header;
    private readonly Qcow2Geometry _g;
    private readonly long _fileClusters;
    private readonly Qcow2ReferenceCounts _refs;
    private readonly ulong _maxRefcount;
    private readonly CheckMessages _messages = new(MaxMessages);
    private readonly byte[] _l2Buffer;
    private long _corruptions;
    private long _leaks;
    private long _checkErrors;
    private long _allocated;
    private long _fragmented;
    private long _compressed;
    private long _l1EntriesWalked;

    public Qcow2CheckRun(IByteSource source, Qcow2Header header)
    {
        _source = source;
        _header = header;
        _g = new Qcow2Geometry(header.ClusterBits, header.ExtendedL2);
        _fileClusters = (source.Length + _g.ClusterSize - 1) >> _g.ClusterBits;
        if (_fileClusters > Qcow2ReferenceCounts.MaxClusters)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"qcow2 image has {_fileClusters} clusters; the checker handles at most {Qcow2ReferenceCounts.MaxClusters}", ImageFormat.Qcow2);
        }

        _refs = new Qcow2ReferenceCounts(_fileClusters);
        _l2Buffer = new byte[_g.ClusterSize];
        _maxRefcount = Qcow2RefcountBlock.MaxValue(header.RefcountOrder);
    }

    public async ValueTask<CheckReport> RunAsync(CancellationToken cancellationToken)
    {
        var cs = _g.ClusterSize;
        Reference(0, cs, 1);

        // Every L1 table (the active one first), each L2 table then walked once with its number of references.
        var l2Tables = new Dictionary<long, L2Use>();
        var l2Order = new List<long>();
        await CollectL1Async(_header.L1TableOffset, _header.L1Size, active: true, l2Tables, l2Order, cancellationToken).ConfigureAwait(false);

        var (snapshots, snapshotBytes) = await ReadSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var snapshot in snapshots)
        {
            if (!_g.IsClusterAligned(snapshot.L1Offset) || (long)snapshot.L1Size * 8 > MaxL1Bytes)
            {
                Corruption($"snapshot L1 table at 0x{snapshot.L1Offset:x} ({snapshot.L1Size} entries) is unaligned or too large");
                continue;
            }

            await CollectL1Async(snapshot.L1Offset, snapshot.L1Size, active: false, l2Tables, l2Order, cancellationToken).ConfigureAwait(false);
        }

        foreach (var offset in l2Order)
        {
            await CheckL2Async(offset, l2Tables[offset], cancellationToken).ConfigureAwait(false);
        }

        if (snapshotBytes > 0)
        {
            Reference(_header.SnapshotsOffset, snapshotBytes, 1);
        }

        Reference(_header.RefcountTableOffset, _header.RefcountTableBytes, 1);
        var refcountTable = await ReadRefcountTableAsync(cancellationToken).ConfigureAwait(false);
        CheckRefcountBlocks(refcountTable);
        var highest = await CompareRefcountsAsync(refcountTable, cancellationToken).ConfigureAwait(false);
        await CheckCopiedFlagsAsync(refcountTable, l2Tables, cancellationToken).ConfigureAwait(false);

        var total = (_header.VirtualSize + cs - 1) >> _g.ClusterBits;
        return new CheckReport
        {
            Format = ImageFormat.Qcow2,
            Corruptions = _corruptions,
            Leaks = _leaks,
            CheckErrors = _checkErrors,
            ImageEndOffset = (highest + 1) * cs,
            TotalClusters = NullIfZero(total),
            AllocatedClusters = NullIfZero(_allocated),
            FragmentedClusters = NullIfZero(_fragmented),
            CompressedClusters = NullIfZero(_compressed),
            Messages = _messages.ToList(),
        };
    }

    /// <summary>qemu-img leaves counters that are zero out of its report.</summary>
    private static long? NullIfZero(long value) => value == 0 ? null : value;

    /// <summary>How many L1 entries (active ones, and all) point at one L2 table.</summary>
    private sealed class L2Use
    {
        public long ActiveReferences;
        public long TotalReferences;
    }

    private async ValueTask CollectL1Async(long offset, uint size, bool active, Dictionary<long, L2Use> l2Tables, List<long> order,
        CancellationToken cancellationToken)
    {
        var bytes = (long)size * 8;
        Reference(offset, bytes, 1);
        if (size == 0)
        {
            return;
        }

        if (offset > _source.Length || bytes > _source.Length - offset)
        {
            // Already counted by Reference as clusters past the end; there are no entries to walk.
            return;
        }

        _l1EntriesWalked += size;
        if (_l1EntriesWalked > MaxL1EntriesWalked)
        {
            _checkErrors++;
            Message($"too many L1 entries to walk; check stopped early");
            return;
        }

        var chunk = new byte[Math.Min(bytes, 1 << 16)];
        for (long done = 0; done < bytes; done += chunk.Length)
        {
            var n = (int)Math.Min(chunk.Length, bytes - done);
            await _source.ReadExactlyAsync(offset + done, chunk.AsMemory(0, n), ImageFormat.Qcow2, "an L1 table", cancellationToken)
                .ConfigureAwait(false);
            for (var i = 0; i < n; i += 8)
            {
                var entry = BinaryPrimitives.ReadUInt64BigEndian(chunk.AsSpan(i));
                if (entry == 0)
                {
                    continue;
                }

                if ((entry & L1ReservedMask) != 0)
                {
                    Corruption($"L1 entry with reserved bits set: 0x{entry:x}");
                }

                var l2 = (long)(entry & L1OffsetMask);
                if (l2 == 0)
                {
                    continue;
                }

                if (!_g.IsClusterAligned(l2) || l2 >= _source.Length)
                {
                    // Counted now rather than remembered: only tables inside the file are kept, so the
                    // table of tables stays bounded by the file's cluster count.
                    Reference(l2, _g.ClusterSize, 1);
                    if (!_g.IsClusterAligned(l2))
                    {
                        Corruption($"l2_offset=0x{l2:x}: table is not cluster aligned; L1 entry corrupted");
                    }

                    continue;
                }

                if (!l2Tables.TryGetValue(l2, out var use))
                {
                    use = new L2Use();
                    l2Tables[l2] = use;
                    order.Add(l2);
                }

                use.TotalReferences++;
                if (active)
                {
                    use.ActiveReferences++;
                }
            }
        }
    }

    private async ValueTask CheckL2Async(long offset, L2Use use, CancellationToken cancellationToken)
    {
        var cs = _g.ClusterSize;
        var weight = (ulong)use.TotalReferences;
        Reference(offset, cs, weight);

        // A table cut short by the end of the file reads as zeros past it, as in qemu.
        var table = _l2Buffer;
        var read = await _source.ReadAtMostAsync(offset, table, cancellationToken).ConfigureAwait(false);
        Array.Clear(table, read, table.Length - read);
        long nextContiguous = 0;
        for (var i = 0; i < _g.L2Entries; i++)
        {
            var entry = BinaryPrimitives.ReadUInt64BigEndian(table.AsSpan(i * _g.L2EntryBytes));
            var bitmap = _g.ExtendedL2 ? BinaryPrimitives.ReadUInt64BigEndian(table.AsSpan(i * _g.L2EntryBytes + 8)) : 0;
            var compressed = (entry & FlagCompressed) != 0;
            if (!compressed && (entry & L2StandardReservedMask) != 0)
            {
                Corruption($"L2 entry with reserved bits set: 0x{entry:x}", use.TotalReferences);
            }

            if (compressed)
            {
                if ((entry & FlagCopied) != 0)
                {
                    Corruption($"compressed cluster entry 0x{entry:x} has the copied flag", use.TotalReferences);
                    entry &= ~FlagCopied;
                }

                if (bitmap != 0)
                {
                    Corruption($"compressed cluster entry 0x{entry:x} has a subcluster bitmap", use.TotalReferences);
                }

                var (coffset, _) = _g.DecodeCompressed(entry);
                var sectors = (long)((entry >> _g.CompressedSizeShift) & _g.CompressedSizeMask) + 1;
                Reference(coffset & ~511L, sectors * 512, weight);
                _allocated += use.ActiveReferences;
                _compressed += use.ActiveReferences;
                _fragmented += use.ActiveReferences;
                continue;
            }

            var host = (long)(entry & L2OffsetMask);
            var zeroFlag = !_g.ExtendedL2 && (entry & FlagZero) != 0;
            if (host == 0)
            {
                if (_g.ExtendedL2 && (bitmap & SubclusterAllocMask) != 0)
                {
                    Corruption($"unallocated cluster has allocated subclusters (bitmap 0x{bitmap:x})", use.TotalReferences);
                }

                continue;
            }

            if (_g.ExtendedL2 && ((bitmap >> 32) & bitmap) != 0)
            {
                Corruption($"offset=0x{host:x}: allocated cluster has a corrupted subcluster bitmap", use.TotalReferences);
            }

            if (!_g.IsClusterAligned(host))
            {
                Corruption($"offset=0x{host:x}: {(zeroFlag ? "preallocated" : "data")} cluster is not properly aligned; L2 entry corrupted",
                    use.TotalReferences);
            }

            if (use.ActiveReferences > 0)
            {
                _allocated += use.ActiveReferences;
                if (nextContiguous != 0 && host != nextContiguous)
                {
                    _fragmented += use.ActiveReferences;
                }

                nextContiguous = host + cs;
            }

            Reference(host, cs, weight);
        }
    }

    private async ValueTask<(List<Qcow2Snapshot> Snapshots, long Bytes)> ReadSnapshotsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Qcow2SnapshotTable.ReadAsync(_source, _header, cancellationToken).ConfigureAwait(false);
        }
        catch (ImageFormatException e)
        {
            Corruption($"{e.Message}");
            return ([], 0);
        }
    }

    private async ValueTask<ulong[]> ReadRefcountTableAsync(CancellationToken cancellationToken)
    {
        var bytes = new byte[_header.RefcountTableBytes];
        await _source.ReadExactlyAsync(_header.RefcountTableOffset, bytes, ImageFormat.Qcow2, "the refcount table", cancellationToken)
            .ConfigureAwait(false);
        var table = new ulong[bytes.Length / 8];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(i * 8));
        }

        return table;
    }

    /// <summary>A refcount block is valid when aligned, inside the file, and referenced by nothing else.</summary>
    private bool IsUsableBlock(ulong entry) =>
        entry != 0 && _g.IsClusterAligned((long)(entry & 0x7fffffffffffffffUL)) && (long)(entry >> _g.ClusterBits) < _fileClusters;

    private void CheckRefcountBlocks(ulong[] table)
    {
        for (var i = 0; i < table.Length; i++)
        {
            var entry = table[i];
            if (entry == 0)
            {
                continue;
            }

            if (!_g.IsClusterAligned((long)(entry & 0x7fffffffffffffffUL)) || entry > long.MaxValue)
            {
                Corruption($"refcount block {i} is not cluster aligned; refcount table entry corrupted");
                continue;
            }

            var cluster = (long)(entry >> _g.ClusterBits);
            if (cluster >= _fileClusters)
            {
                Corruption($"refcount block {i} is outside the image");
                continue;
            }

            Reference((long)entry, _g.ClusterSize, 1);
            if (_refs[cluster] != 1)
            {
                Corruption($"refcount block {i} refcount={_refs[cluster]}");
            }
        }
    }

    /// <summary>Compares stored and computed refcounts of every cluster of the file; returns the highest cluster in use.</summary>
    private async ValueTask<long> CompareRefcountsAsync(ulong[] table, CancellationToken cancellationToken)
    {
        var perBlock = Qcow2RefcountBlock.EntriesPerBlock(_g.ClusterBits, _header.RefcountOrder);
        var block = new byte[_g.ClusterSize];
        long highest = 0;
        for (long first = 0; first < _fileClusters; first += perBlock)
        {
            var index = first / perBlock;
            var usable = index < table.Length && IsUsableBlock(table[index]);
            if (usable)
            {
                var read = await _source.ReadAtMostAsync((long)table[index], block, cancellationToken).ConfigureAwait(false);
                Array.Clear(block, read, block.Length - read);
            }

            var count = (int)Math.Min(perBlock, _fileClusters - first);
            for (var k = 0; k < count; k++)
            {
                var cluster = first + k;
                var stored = usable ? Qcow2RefcountBlock.Get(block, _header.RefcountOrder, k) : 0;
                var computed = _refs[cluster];
                if (stored > 0 || computed > 0)
                {
                    highest = cluster;
                }

                if (stored < computed)
                {
                    Corruption($"cluster {cluster} refcount={stored} reference={computed}");
                }
                else if (stored > computed)
                {
                    _leaks++;
                    Message($"Leaked cluster {cluster} refcount={stored} reference={computed}");
                }
            }
        }

        return highest;
    }

    /// <summary>The copied flag (bit 63) of active L1 and L2 entries must say whether the stored refcount is exactly one.</summary>
    private async ValueTask CheckCopiedFlagsAsync(ulong[] table, Dictionary<long, L2Use> l2Tables, CancellationToken cancellationToken)
    {
        var lookup = new StoredRefcounts(this, table);
        var l1Bytes = _header.L1Bytes;
        if (l1Bytes == 0 || _header.L1TableOffset > _source.Length - l1Bytes)
        {
            return;
        }

        var l1 = new byte[Math.Min(l1Bytes, 1 << 16)];
        var tableBuffer = new byte[_g.ClusterSize];
        for (long done = 0; done < l1Bytes; done += l1.Length)
        {
            var n = (int)Math.Min(l1.Length, l1Bytes - done);
            await _source.ReadExactlyAsync(_header.L1TableOffset + done, l1.AsMemory(0, n), ImageFormat.Qcow2, "an L1 table", cancellationToken)
                .ConfigureAwait(false);
            for (var i = 0; i < n; i += 8)
            {
                var entry = BinaryPrimitives.ReadUInt64BigEndian(l1.AsSpan(i));
                var l2 = (long)(entry & L1OffsetMask);
                if (l2 == 0)
                {
                    continue;
                }

                var refcount = await lookup.GetAsync(l2 >> _g.ClusterBits, cancellationToken).ConfigureAwait(false);
                if (refcount is { } r && (r == 1) != ((entry & FlagCopied) != 0))
                {
                    Corruption($"OFLAG_COPIED L2 cluster: l1_entry=0x{entry:x} refcount={r}");
                }

                if (!_g.IsClusterAligned(l2) || l2 >= _source.Length || !l2Tables.TryGetValue(l2, out var use) || use.ActiveReferences == 0)
                {
                    continue;
                }

                // Each active L2 table is checked once, however many L1 entries point at it.
                use.ActiveReferences = 0;
                var read = await _source.ReadAtMostAsync(l2, tableBuffer, cancellationToken).ConfigureAwait(false);
                Array.Clear(tableBuffer, read, tableBuffer.Length - read);
                for (var k = 0; k < _g.L2Entries; k++)
                {
                    var l2Entry = BinaryPrimitives.ReadUInt64BigEndian(tableBuffer.AsSpan(k * _g.L2EntryBytes));
                    var host = (long)(l2Entry & L2OffsetMask);
                    if ((l2Entry & FlagCompressed) != 0 || host == 0)
                    {
                        continue;
                    }

                    var dataRefcount = await lookup.GetAsync(host >> _g.ClusterBits, cancellationToken).ConfigureAwait(false);
                    if (dataRefcount is { } d && (d == 1) != ((l2Entry & FlagCopied) != 0))
                    {
                        Corruption($"OFLAG_COPIED data cluster: l2_entry=0x{l2Entry:x} refcount={d}");
                    }
                }
            }
        }
    }

    /// <summary>Stored refcounts looked up one block at a time (the last block read is kept).</summary>
    private sealed class StoredRefcounts(Qcow2CheckRun run, ulong[] table)
    {
        private readonly byte[] _block = new byte[run._g.ClusterSize];
        private long _blockIndex = -1;
        private readonly int _perBlock = Qcow2RefcountBlock.EntriesPerBlock(run._g.ClusterBits, run._header.RefcountOrder);

        /// <summary>The stored refcount, or null when its refcount block is unusable (already reported).</summary>
        public async ValueTask<ulong?> GetAsync(long cluster, CancellationToken cancellationToken)
        {
            var index = cluster / _perBlock;
            if (index >= table.Length || table[index] == 0)
            {
                return 0;
            }

            if (!run.IsUsableBlock(table[index]))
            {
                return null;
            }

            if (index != _blockIndex)
            {
                var read = await run._source.ReadAtMostAsync((long)table[index], _block, cancellationToken).ConfigureAwait(false);
                Array.Clear(_block, read, _block.Length - read);
                _blockIndex = index;
            }

            return Qcow2RefcountBlock.Get(_block, run._header.RefcountOrder, (int)(cluster % _perBlock));
        }
    }

    /// <summary>Counts <paramref name="weight"/> references to every cluster the byte range touches.</summary>
    private void Reference(long offset, long length, ulong weight)
    {
        if (length <= 0)
        {
            return;
        }

        var first = offset >> _g.ClusterBits;
        var last = (offset + length - 1) >> _g.ClusterBits;
        if (last >= _fileClusters)
        {
            // qemu finds these as clusters whose stored refcount (zero) is below their references.
            var outside = last - Math.Max(first, _fileClusters) + 1;
            Corruption($"{outside} cluster(s) from 0x{Math.Max(first, _fileClusters) << _g.ClusterBits:x} are referenced but lie past the end of the file",
                outside);
            last = _fileClusters - 1;
        }

        for (var cluster = first; cluster <= last; cluster++)
        {
            if (_refs[cluster] + weight > _maxRefcount || _refs[cluster] + weight < weight)
            {
                Corruption($"refcount overflow for cluster {cluster}");
                continue;
            }

            _refs.Add(cluster, weight);
        }
    }

    /// <summary>True while another message fits in the report.</summary>
    internal bool WantsMessage => _messages.HasRoom;

    private void Corruption([InterpolatedStringHandlerArgument("")] Qcow2CheckMessage message, long count = 1)
    {
        _corruptions += count;
        Add(message, "ERROR ");
    }

    private void Message([InterpolatedStringHandlerArgument("")] Qcow2CheckMessage message) => Add(message, "");

    private void Add(Qcow2CheckMessage message, string prefix)
    {
        if (message.Enabled)
        {
            _messages.Add(prefix + message.ToStringAndClear());
        }
        else
        {
            _messages.Suppress();
        }
    }
}
