using Imago.Storage.Caching;
using Imago.Storage.Chunks;
using Imago.Storage.Tree;

namespace Imago.Storage.Volumes;

/// <summary>
/// A volume (read-write) or snapshot (read-only) opened as a block device. Writes go to whole-chunk buffers
/// in memory (a partial write reads the chunk first); buffers are hashed and stored when there are too many
/// or at flush, and flush then commits the map: chunks, then pages, then the root record by atomic rename.
/// </summary>
/// <remarks>
/// Concurrency: a reader/writer lock per disk. Reads (and <see cref="GetRunAsync"/>) share it, so an NBD client's
/// parallel requests overlap; writes, write-zeroes, trims and commits hold it alone. A read therefore sees every
/// block it covers either wholly before or wholly after any write, and a commit never sees half a write. Under
/// the shared lock the dirty buffers and dirty pages do not change; the page and chunk caches are thread-safe.
/// </remarks>
internal sealed class StoredDisk : IBlockDevice
{
    // Dirty chunk buffers kept before they are stored: bounds memory (64 x 256 KiB = 16 MiB) and the work a flush does.
    private const int MaxDirtyChunks = 64;

    /// <summary>Verified chunks kept for reads (least recently used evicted): 16 x 256 KiB = 4 MiB per open disk.</summary>
    internal const int MaxCachedChunks = 16;

    private readonly ChunkStore _chunks;
    private readonly BlockMap _map;
    private readonly Func<ChunkHash, long, CancellationToken, ValueTask>? _commitRoot;
    private readonly Action? _onClose;
    private readonly AsyncReaderWriterLock _lock = new();
    private readonly Dictionary<long, byte[]> _dirty = [];
    private readonly ChunkPins _pins;
    private readonly int _chunkSize;
    private long _generation;

    // The root the record names. The map's own root moves as soon as its pages are stored, before the chunk flush
    // and the record write, so a commit that fails between the two must be retried by comparing with this.
    private ChunkHash _recordedRoot;
    private readonly BoundedLru<ChunkHash, byte[]> _readCache = new(MaxCachedChunks); // content-addressed: never stale
    private bool _disposed;

    /// <param name="commitRoot">Writes the root record (null for a read-only snapshot).</param>
    public StoredDisk(string name, ChunkStore chunks, BlockMap map, long size, long generation,
        Func<ChunkHash, long, CancellationToken, ValueTask>? commitRoot, Action? onClose)
    {
        Name = name;
        _chunks = chunks;
        _map = map;
        Size = size;
        _generation = generation;
        _recordedRoot = map.Root;
        _commitRoot = commitRoot;
        _onClose = onClose;
        _chunkSize = chunks.ChunkSize;
        _pins = chunks.CreatePins();
    }

    public string Name { get; }

    public long Size { get; }

    public bool IsReadOnly => _commitRoot is null;

    /// <summary>Clean map pages cached now, for tests of the cache bound.</summary>
    internal int CachedPages => _map.CachedCleanPages;

    /// <summary>Chunks in the read cache now, for tests of the cache bound.</summary>
    internal int CachedChunks => _readCache.Count;

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CheckRange(offset, buffer.Length);
        await _lock.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var done = 0;
            while (done < buffer.Length)
            {
                var (block, within, length) = Locate(offset + done, buffer.Length - done);
                var target = buffer.Slice(done, length);
                if (_dirty.TryGetValue(block, out var pending))
                {
                    pending.AsMemory(within, length).CopyTo(target);
                }
                else
                {
                    var hash = await _map.GetAsync(block, cancellationToken).ConfigureAwait(false);
                    if (hash.IsZero)
                    {
                        target.Span.Clear();
                    }
                    else
                    {
                        var chunk = await ReadChunkAsync(hash, cancellationToken).ConfigureAwait(false);
                        chunk.AsMemory(within, length).CopyTo(target);
                    }
                }

                done += length;
            }
        }
        finally
        {
            await _lock.ExitReadAsync().ConfigureAwait(false);
        }
    }

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        ModifyAsync(offset, data.Length, data, cancellationToken);

    public ValueTask WriteZeroesAsync(long offset, long length, CancellationToken cancellationToken = default) =>
        ModifyAsync(offset, length, null, cancellationToken);

    // Trimmed ranges read back as zeros: the chunk references are dropped, exactly as for write-zeroes.
    public ValueTask TrimAsync(long offset, long length, CancellationToken cancellationToken = default) =>
        ModifyAsync(offset, length, null, cancellationToken);

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _lock.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            await CommitLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.ExitWrite();
        }
    }

    /// <summary>Commits pending writes and returns the root a snapshot of this moment can share.</summary>
    public async ValueTask<(ChunkHash Root, long Generation)> CommitAsync(CancellationToken cancellationToken)
    {
        await _lock.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            await CommitLockedAsync(cancellationToken).ConfigureAwait(false);
            return (_map.Root, _generation);
        }
        finally
        {
            _lock.ExitWrite();
        }
    }

    /// <summary>The run starting at <paramref name="offset"/> that is all zero-reference or all data, for export.</summary>
    public async ValueTask<(long Length, bool Zero)> GetRunAsync(long offset, long maxLength, CancellationToken cancellationToken)
    {
        CheckRange(offset, maxLength);
        await _lock.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var end = offset + maxLength;
            var block = offset / _chunkSize;
            var zero = await IsZeroBlockAsync(block, cancellationToken).ConfigureAwait(false);
            var runEnd = Math.Min(end, (block + 1) * _chunkSize);
            while (runEnd < end && await IsZeroBlockAsync(runEnd / _chunkSize, cancellationToken).ConfigureAwait(false) == zero)
            {
                runEnd = Math.Min(end, runEnd + _chunkSize);
            }

            return (runEnd - offset, zero);
        }
        finally
        {
            await _lock.ExitReadAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Alone in the disk: calls still running finish first, so none sees its pins released under it.
        await _lock.EnterWriteAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                await CommitLockedAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _disposed = true;
                _pins.Dispose();
                _onClose?.Invoke();
            }
        }
        finally
        {
            _lock.ExitWrite();
        }
    }

    private async ValueTask ModifyAsync(long offset, long length, ReadOnlyMemory<byte>? data, CancellationToken cancellationToken)
    {
        if (IsReadOnly)
        {
            throw new StoreException($"{Name} is read-only");
        }

        CheckRange(offset, length);
        await _lock.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            long done = 0;
            while (done < length)
            {
                var (block, within, piece) = Locate(offset + done, length - done);
                if (data is null && piece == BlockLength(block))
                {
                    // Map first: if it fails, the block keeps its latest (buffered) write, not the older committed one.
                    await _map.SetAsync(block, ChunkHash.Zero, cancellationToken).ConfigureAwait(false);
                    _dirty.Remove(block);
                }
                else
                {
                    var buffer = piece == BlockLength(block) ? new byte[_chunkSize] : await LoadForWriteAsync(block, cancellationToken).ConfigureAwait(false);
                    if (data is { } bytes)
                    {
                        bytes.Slice((int)done, piece).Span.CopyTo(buffer.AsSpan(within));
                    }
                    else
                    {
                        buffer.AsSpan(within, piece).Clear();
                    }

                    _dirty[block] = buffer;
                }

                done += piece;
            }

            if (_dirty.Count > MaxDirtyChunks)
            {
                await StoreDirtyAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.ExitWrite();
        }
    }

    private async ValueTask<byte[]> LoadForWriteAsync(long block, CancellationToken cancellationToken)
    {
        if (_dirty.TryGetValue(block, out var pending))
        {
            return pending;
        }

        var buffer = new byte[_chunkSize];
        var hash = await _map.GetAsync(block, cancellationToken).ConfigureAwait(false);
        if (!hash.IsZero)
        {
            (await ReadChunkAsync(hash, cancellationToken).ConfigureAwait(false)).CopyTo(buffer.AsSpan());
        }

        return buffer;
    }

    private async ValueTask StoreDirtyAsync(CancellationToken cancellationToken)
    {
        foreach (var (block, buffer) in _dirty.OrderBy(d => d.Key))
        {
            var hash = await _chunks.WriteAsync(buffer, _pins, cancellationToken).ConfigureAwait(false);
            await _map.SetAsync(block, hash, cancellationToken).ConfigureAwait(false);
        }

        _dirty.Clear();
    }

    private async ValueTask CommitLockedAsync(CancellationToken cancellationToken)
    {
        if (IsReadOnly)
        {
            return;
        }

        await StoreDirtyAsync(cancellationToken).ConfigureAwait(false);
        if (!_map.HasChanges && _map.Root == _recordedRoot)
        {
            return;
        }

        // Chunks and pages are durable before the record that names them.
        var root = await _map.CommitAsync(_pins, cancellationToken).ConfigureAwait(false);
        await _chunks.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _commitRoot!(root, _generation + 1, cancellationToken).ConfigureAwait(false);
        _recordedRoot = root;
        _generation++;
        _pins.ReleaseCommitted();
    }

    private async ValueTask<bool> IsZeroBlockAsync(long block, CancellationToken cancellationToken) =>
        !_dirty.ContainsKey(block) && (await _map.GetAsync(block, cancellationToken).ConfigureAwait(false)).IsZero;

    private async ValueTask<byte[]> ReadChunkAsync(ChunkHash hash, CancellationToken cancellationToken)
    {
        // Sequential small reads hit the same chunk many times in a row, and parallel readers often share chunks.
        if (_readCache.TryGet(hash, out var cached))
        {
            return cached;
        }

        var data = await _chunks.ReadAsync(hash, cancellationToken).ConfigureAwait(false);
        if (data.Length != _chunkSize)
        {
            throw new ChunkCorruptException(hash, $"is {data.Length} bytes where a data chunk of {_chunkSize} was expected");
        }

        return _readCache.GetOrAdd(hash, data);
    }

    private (long Block, int Within, int Length) Locate(long offset, long remaining)
    {
        var block = offset / _chunkSize;
        var within = (int)(offset % _chunkSize);
        return (block, within, (int)Math.Min(remaining, BlockLength(block) - within));
    }

    // The last block of a disk whose size is not a chunk multiple is short; its stored chunk is zero-padded.
    private long BlockLength(long block) => Math.Min(_chunkSize, Size - block * _chunkSize);

    private void CheckRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Size - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"range {offset}+{length} is outside {Name} ({Size} bytes)");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
