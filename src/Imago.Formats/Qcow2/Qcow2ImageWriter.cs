using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Imago.Formats.IO;
using Microsoft.Win32.SafeHandles;
using ZstdSharp;
using static Imago.Formats.Qcow2.Qcow2Constants;

namespace Imago.Formats.Qcow2;

/// <summary>
/// Writes a qcow2 v3 (compat 1.1) image in one pass with increasing file offsets:
/// cluster 0 is reserved for the header; data clusters (or packed compressed clusters) are appended as
/// they come, each L2 table right after the last cluster it maps; then the L1 table, the refcount
/// blocks and the refcount table; the header is written last, after an fsync, and synced again, so an
/// interrupted write leaves a file with a zero header that no reader takes for a qcow2 image.
/// Memory: one L2 table, one partial cluster, a 1 MiB write buffer, the L1 table, 2 bytes per host
/// cluster of refcounts, and a bounded number of clusters being compressed.
/// </summary>
internal sealed class Qcow2ImageWriter : IDiskImageWriter
{
    private const int StagingBytes = 1 << 20;
    private const long CompressionMemoryBudget = 64L << 20;

    private readonly SafeFileHandle _file;
    private readonly Qcow2Geometry _g;
    private readonly bool _compress;
    private readonly bool _flushToStableStorage;
    private readonly byte _compressionType;
    private readonly ulong[] _l1;
    private readonly ulong[] _l2;
    private readonly Qcow2RefcountCounter _refcounts = new();
    private readonly byte[] _staging;
    private readonly Queue<Task<CompressedCluster>> _inFlight = new();
    private readonly int _maxInFlight;
    private readonly ConcurrentBag<Compressor> _zstdCompressors = new();
    private int _l2Index = -1;
    private bool _l2HasEntries;
    private long _next;
    private long _stagingStart;
    private int _stagingLength;
    private byte[]? _partial;
    private long _partialCluster = -1;
    private long _writtenEnd;
    private bool _completed;
    private bool _disposed;

    private Qcow2ImageWriter(SafeFileHandle file, Qcow2CreationPlan plan, ImageCreateOptions options)
    {
        _file = file;
        VirtualSize = plan.VirtualSize;
        _g = new Qcow2Geometry(plan.ClusterBits, extendedL2: false);
        _compress = options.Compress;
        _flushToStableStorage = options.FlushToStableStorage;
        _compressionType = options.CompressionType == CompressionType.Zstd ? CompressionZstd : CompressionZlib;
        _l1 = new ulong[plan.L1Entries];
        _l2 = new ulong[_g.L2Entries];
        _staging = new byte[Math.Max(StagingBytes, _g.ClusterSize)];
        _maxInFlight = (int)Math.Clamp(CompressionMemoryBudget / (2L * _g.ClusterSize), 2, Environment.ProcessorCount * 4);
        _refcounts.Increment(0);
        _next = _g.ClusterSize;
        _stagingStart = _next;
    }

    public ImageFormat Format => ImageFormat.Qcow2;

    public long VirtualSize { get; }

    public int Granularity => _g.ClusterSize;

    public static ValueTask<IDiskImageWriter> CreateAsync(string path, long virtualSize, ImageCreateOptions options,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var plan = Qcow2CreationPlan.For(virtualSize, options);
        return ValueTask.FromResult<IDiskImageWriter>(OutputFile.CreateWriter(path, file => new Qcow2ImageWriter(file, plan, options)));
    }

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriterRange.Check(offset, data.Length, _writtenEnd, VirtualSize, _completed);

        _writtenEnd = offset + data.Length;
        var cs = _g.ClusterSize;
        while (!data.IsEmpty)
        {
            var cluster = offset >> _g.ClusterBits;
            var inCluster = (int)(offset & (cs - 1));
            if (_partialCluster >= 0 && _partialCluster != cluster)
            {
                await FlushPartialAsync(cancellationToken).ConfigureAwait(false);
            }

            if (inCluster == 0 && data.Length >= cs && _partialCluster < 0)
            {
                var whole = data.Length / cs * cs;
                await StoreWholeClustersAsync(cluster, data[..whole], cancellationToken).ConfigureAwait(false);
                data = data[whole..];
                offset += whole;
                continue;
            }

            var take = Math.Min(cs - inCluster, data.Length);
            if (_partialCluster < 0)
            {
                _partial ??= new byte[cs];
                Array.Clear(_partial);
                _partialCluster = cluster;
            }

            data.Span[..take].CopyTo(_partial.AsSpan(inCluster));
            data = data[take..];
            offset += take;
            if (inCluster + take == cs)
            {
                await FlushPartialAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        if (_partialCluster >= 0)
        {
            await FlushPartialAsync(cancellationToken).ConfigureAwait(false);
        }

        while (_inFlight.Count > 0)
        {
            await CommitOldestAsync(cancellationToken).ConfigureAwait(false);
        }

        await FlushL2Async(cancellationToken).ConfigureAwait(false);

        await AlignAsync(cancellationToken).ConfigureAwait(false);
        var l1Offset = _next;
        if (_l1.Length > 0)
        {
            var l1Bytes = new byte[_l1.Length * 8];
            for (var i = 0; i < _l1.Length; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(l1Bytes.AsSpan(i * 8), _l1[i]);
            }

            await AppendAsync(l1Bytes, cancellationToken).ConfigureAwait(false);
            await AlignAsync(cancellationToken).ConfigureAwait(false);
        }

        var (refcountTableOffset, refcountTableClusters) = await WriteRefcountsAsync(cancellationToken).ConfigureAwait(false);
        await FlushStagingAsync(cancellationToken).ConfigureAwait(false);
        FlushToDiskIfDurable();

        var header = BuildHeader(_l1.Length == 0 ? refcountTableOffset : l1Offset, refcountTableOffset, refcountTableClusters);
        await RandomAccess.WriteAsync(_file, header, 0, cancellationToken).ConfigureAwait(false);
        FlushToDiskIfDurable();
        _completed = true;
    }

    private void FlushToDiskIfDurable()
    {
        if (_flushToStableStorage)
        {
            RandomAccess.FlushToDisk(_file);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var task in _inFlight)
        {
            try
            {
                var done = await task.ConfigureAwait(false);
                done.Return();
            }
            catch (Exception) when (!_completed)
            {
                // The image is abandoned; only the buffers matter now.
            }
        }

        _inFlight.Clear();
        while (_zstdCompressors.TryTake(out var compressor))
        {
            compressor.Dispose();
        }

        _file.Dispose();
    }

    private async ValueTask FlushPartialAsync(CancellationToken cancellationToken)
    {
        var cluster = _partialCluster;
        _partialCluster = -1;
        await StoreWholeClustersAsync(cluster, _partial!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores whole clusters starting at virtual cluster <paramref name="firstCluster"/>, skipping zero ones.</summary>
    private async ValueTask StoreWholeClustersAsync(long firstCluster, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var cs = _g.ClusterSize;
        var count = data.Length / cs;
        var i = 0;
        while (i < count)
        {
            if (ZeroDetector.IsAllZero(data.Span.Slice(i * cs, cs)))
            {
                i++;
                continue;
            }

            if (_compress)
            {
                await EnqueueCompressionAsync(firstCluster + i, data.Slice(i * cs, cs), cancellationToken).ConfigureAwait(false);
                i++;
                continue;
            }

            // A run of non-zero clusters inside one L2 table goes to the file in one write.
            var start = i;
            var tableEnd = ((firstCluster + i) | (_g.L2Entries - 1L)) + 1 - firstCluster;
            i++;
            while (i < count && i < tableEnd && !ZeroDetector.IsAllZero(data.Span.Slice(i * cs, cs)))
            {
                i++;
            }

            await CommitDataAsync(firstCluster + start, data.Slice(start * cs, (i - start) * cs), cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask CommitDataAsync(long firstCluster, ReadOnlyMemory<byte> clusters, CancellationToken cancellationToken)
    {
        await SwitchL2Async(firstCluster, cancellationToken).ConfigureAwait(false);
        await AlignAsync(cancellationToken).ConfigureAwait(false);
        var host = _next;
        await AppendAsync(clusters, cancellationToken).ConfigureAwait(false);
        var index = (int)(firstCluster & (_g.L2Entries - 1));
        for (var k = 0; k < clusters.Length / _g.ClusterSize; k++)
        {
            _l2[index + k] = (ulong)(host + ((long)k << _g.ClusterBits)) | FlagCopied;
        }

        _l2HasEntries = true;
    }

    private sealed record CompressedCluster(long Cluster, byte[] Input, byte[] Output, int Length)
    {
        public void Return()
        {
            ArrayPool<byte>.Shared.Return(Input);
            ArrayPool<byte>.Shared.Return(Output);
        }
    }

    private async ValueTask EnqueueCompressionAsync(long cluster, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_inFlight.Count >= _maxInFlight)
        {
            await CommitOldestAsync(cancellationToken).ConfigureAwait(false);
        }

        var cs = _g.ClusterSize;
        var input = ArrayPool<byte>.Shared.Rent(cs);
        data.Span.CopyTo(input);
        _inFlight.Enqueue(Task.Run(() =>
        {
            var output = ArrayPool<byte>.Shared.Rent(cs);

            // As qemu: the compressed form must be smaller than a cluster, or the cluster is stored as is.
            var length = CompressOne(input.AsSpan(0, cs), output.AsSpan(0, cs - 1));
            return new CompressedCluster(cluster, input, output, length);
        }, cancellationToken));
    }

    private int CompressOne(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (_compressionType != CompressionZstd)
        {
            return Qcow2Compression.Compress(_compressionType, input, output, null);
        }

        if (!_zstdCompressors.TryTake(out var compressor))
        {
            compressor = new Compressor(Compressor.DefaultCompressionLevel);
        }

        try
        {
            return Qcow2Compression.Compress(_compressionType, input, output, compressor);
        }
        finally
        {
            _zstdCompressors.Add(compressor);
        }
    }

    private async ValueTask CommitOldestAsync(CancellationToken cancellationToken)
    {
        var done = await _inFlight.Dequeue().ConfigureAwait(false);
        try
        {
            if (done.Length < 0)
            {
                await CommitDataAsync(done.Cluster, done.Input.AsMemory(0, _g.ClusterSize), cancellationToken).ConfigureAwait(false);
                return;
            }

            await SwitchL2Async(done.Cluster, cancellationToken).ConfigureAwait(false);
            var cs = _g.ClusterSize;
            if (_refcounts[_next >> _g.ClusterBits] >= Qcow2RefcountCounter.Max - 1 && (_next & (cs - 1)) != 0)
            {
                // Too many compressed clusters share this host cluster for a 16-bit refcount: start a new one.
                await AlignAsync(cancellationToken).ConfigureAwait(false);
            }

            var host = _next;
            await AppendAsync(done.Output.AsMemory(0, done.Length), cancellationToken).ConfigureAwait(false);
            _l2[(int)(done.Cluster & (_g.L2Entries - 1))] = _g.EncodeCompressed(host, done.Length);
            _l2HasEntries = true;
        }
        finally
        {
            done.Return();
        }
    }

    private async ValueTask SwitchL2Async(long cluster, CancellationToken cancellationToken)
    {
        var index = (int)(cluster >> _g.L2Bits);
        if (index == _l2Index)
        {
            return;
        }

        await FlushL2Async(cancellationToken).ConfigureAwait(false);
        _l2Index = index;
    }

    private async ValueTask FlushL2Async(CancellationToken cancellationToken)
    {
        if (!_l2HasEntries)
        {
            return;
        }

        await AlignAsync(cancellationToken).ConfigureAwait(false);
        var table = ArrayPool<byte>.Shared.Rent(_g.ClusterSize);
        try
        {
            for (var i = 0; i < _l2.Length; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(table.AsSpan(i * 8), _l2[i]);
            }

            _l1[_l2Index] = (ulong)_next | FlagCopied;
            await AppendAsync(table.AsMemory(0, _g.ClusterSize), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(table);
        }

        Array.Clear(_l2);
        _l2HasEntries = false;
    }

    /// <summary>
    /// Writes refcount blocks then the refcount table after everything else. The blocks must count
    /// themselves and the table, so the layout is solved first: n clusters need ceil(n / entries) blocks.
    /// </summary>
    private async ValueTask<(long Offset, int Clusters)> WriteRefcountsAsync(CancellationToken cancellationToken)
    {
        var cs = _g.ClusterSize;
        var used = _next >> _g.ClusterBits;
        var perBlock = (long)cs * 8 >> Qcow2CreationPlan.RefcountOrder;
        long blocks = 0, tableClusters = 0;
        while (true)
        {
            var total = used + blocks + tableClusters;
            var needBlocks = (total + perBlock - 1) / perBlock;
            var needTable = (needBlocks * 8 + cs - 1) / cs;
            if (needBlocks == blocks && needTable == tableClusters)
            {
                break;
            }

            blocks = needBlocks;
            tableClusters = needTable;
        }

        if (tableClusters * cs > MaxRefcountTableBytes)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge, "the image needs a refcount table above qemu's 8 MiB limit");
        }

        var totalClusters = used + blocks + tableClusters;
        var blockStart = _next;
        var block = new byte[cs];
        for (long b = 0; b < blocks; b++)
        {
            Array.Clear(block);
            for (var k = 0; k < perBlock; k++)
            {
                var cluster = b * perBlock + k;
                if (cluster >= totalClusters)
                {
                    break;
                }

                var count = cluster < used ? _refcounts[cluster] : 1;
                BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(k * 2), (ushort)count);
            }

            await AppendAsync(block, cancellationToken).ConfigureAwait(false);
        }

        var tableOffset = _next;
        var table = new byte[tableClusters * cs];
        for (long b = 0; b < blocks; b++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(table.AsSpan((int)(b * 8)), (ulong)(blockStart + b * cs));
        }

        await AppendAsync(table, cancellationToken).ConfigureAwait(false);
        return (tableOffset, (int)tableClusters);
    }

    private byte[] BuildHeader(long l1Offset, long refcountTableOffset, int refcountTableClusters)
    {
        var header = new byte[HeaderLengthWithCompressionType + 8];
        var span = header.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, Magic);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], 3);
        BinaryPrimitives.WriteUInt32BigEndian(span[20..], (uint)_g.ClusterBits);
        BinaryPrimitives.WriteUInt64BigEndian(span[24..], (ulong)VirtualSize);
        BinaryPrimitives.WriteUInt32BigEndian(span[36..], (uint)_l1.Length);
        BinaryPrimitives.WriteUInt64BigEndian(span[40..], (ulong)l1Offset);
        BinaryPrimitives.WriteUInt64BigEndian(span[48..], (ulong)refcountTableOffset);
        BinaryPrimitives.WriteUInt32BigEndian(span[56..], (uint)refcountTableClusters);
        var incompatible = _compressionType == CompressionZstd ? IncompatibleCompressionType : 0;
        BinaryPrimitives.WriteUInt64BigEndian(span[72..], incompatible);
        BinaryPrimitives.WriteUInt32BigEndian(span[96..], Qcow2CreationPlan.RefcountOrder);
        BinaryPrimitives.WriteUInt32BigEndian(span[100..], HeaderLengthWithCompressionType);
        header[104] = _compressionType;

        // Bytes 112..119 stay zero: the end-of-extensions marker.
        return header;
    }

    /// <summary>Appends bytes at the end of the file (through the staging buffer) and counts a reference to every cluster they touch.</summary>
    private async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var first = _next >> _g.ClusterBits;
        var last = (_next + data.Length - 1) >> _g.ClusterBits;
        for (var c = first; c <= last; c++)
        {
            _refcounts.Increment(c);
        }

        if (_stagingLength + data.Length > _staging.Length)
        {
            await FlushStagingAsync(cancellationToken).ConfigureAwait(false);
        }

        if (data.Length >= _staging.Length)
        {
            await RandomAccess.WriteAsync(_file, data, _next, cancellationToken).ConfigureAwait(false);
            _next += data.Length;
            _stagingStart = _next;
            return;
        }

        data.Span.CopyTo(_staging.AsSpan(_stagingLength));
        _stagingLength += data.Length;
        _next += data.Length;
    }

    /// <summary>Moves the append position to the next cluster boundary (the skipped tail is zeros or a hole).</summary>
    private async ValueTask AlignAsync(CancellationToken cancellationToken)
    {
        var cs = _g.ClusterSize;
        var aligned = (_next + cs - 1) & ~(long)(cs - 1);
        if (aligned == _next)
        {
            return;
        }

        var pad = (int)(aligned - _next);
        if (_stagingLength > 0 && _stagingLength + pad <= _staging.Length)
        {
            Array.Clear(_staging, _stagingLength, pad);
            _stagingLength += pad;
            _next = aligned;
            return;
        }

        await FlushStagingAsync(cancellationToken).ConfigureAwait(false);
        _next = aligned;
        _stagingStart = aligned;
    }

    private async ValueTask FlushStagingAsync(CancellationToken cancellationToken)
    {
        if (_stagingLength > 0)
        {
            await RandomAccess.WriteAsync(_file, _staging.AsMemory(0, _stagingLength), _stagingStart, cancellationToken).ConfigureAwait(false);
            _stagingStart += _stagingLength;
            _stagingLength = 0;
        }

        _stagingStart = _next;
    }
}
