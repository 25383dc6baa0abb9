using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Imago.Storage.IO;

namespace Imago.Storage.Chunks;

/// <summary>
/// Chunks as files: <c>chunks/abc/abcd…</c>, one level of 4096 directories by hash prefix (a 2 TiB disk of
/// 256 KiB chunks puts ~2000 files in each; ext4 and XFS index large directories, so a region of hundreds of
/// millions of chunks stays workable, while a small store does not create a directory per chunk).
/// <see cref="PutAsync"/> stages a chunk in <c>tmp/</c> (readable at once); <see cref="FlushAsync"/> flushes the
/// file system once (syncfs, instead of an fsync per chunk), renames every staged chunk into place and flushes
/// the directories that gained names. A name under <c>chunks/</c> therefore always holds complete, durable
/// bytes, so deduplicating against it is safe even after a power loss. Whatever a crash leaves in <c>tmp/</c>
/// was never published and is removed on open.
/// </summary>
public sealed class DirectoryChunkBackend : IChunkBackend
{
    private readonly string _chunks;
    private readonly string _temporary;
    private readonly int _maxChunkBytes;
    private readonly ConcurrentDictionary<string, byte> _directoriesToFlush = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ChunkHash, string> _staged = new(); // put since the last flush: hash -> temp file
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private readonly IStorageSync _sync;

    /// <param name="directory">The backend's own directory (created when missing).</param>
    /// <param name="maxChunkBytes">No valid chunk is larger: a bigger file is reported corrupt, never loaded.</param>
    public DirectoryChunkBackend(string directory, int maxChunkBytes)
        : this(directory, maxChunkBytes, NativeStorageSync.Instance)
    {
    }

    /// <param name="sync">The flushes (the store passes its fail-stop guard; tests a counting or failing one).</param>
    internal DirectoryChunkBackend(string directory, int maxChunkBytes, IStorageSync sync)
    {
        _sync = sync;
        _chunks = Path.Combine(directory, "chunks");
        _temporary = Path.Combine(directory, "tmp");
        _maxChunkBytes = maxChunkBytes;
        Directory.CreateDirectory(_chunks);
        if (Directory.Exists(_temporary))
        {
            // Leftovers of writes interrupted by a crash: never renamed into place, so nothing refers to them.
            Directory.Delete(_temporary, recursive: true);
        }

        Directory.CreateDirectory(_temporary);
        _sync.FlushDirectory(directory);
    }

    public ValueTask<bool> ContainsAsync(ChunkHash hash, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_staged.ContainsKey(hash) || File.Exists(PathOf(hash)));

    public async ValueTask<byte[]?> GetAsync(ChunkHash hash, CancellationToken cancellationToken = default)
    {
        if (_staged.TryGetValue(hash, out var staged) && await ReadFileAsync(hash, staged, cancellationToken).ConfigureAwait(false) is { } bytes)
        {
            return bytes;
        }

        // Not staged, or a flush published it between the lookup and the open: read it under its final name.
        return await ReadFileAsync(hash, PathOf(hash), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<byte[]?> ReadFileAsync(ChunkHash hash, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
            var length = RandomAccess.GetLength(handle);
            if (length > _maxChunkBytes)
            {
                throw new ChunkCorruptException(hash, $"is {length} bytes, more than a chunk can be ({_maxChunkBytes})");
            }

            var data = new byte[length];
            var read = 0;
            while (read < data.Length)
            {
                var n = await RandomAccess.ReadAsync(handle, data.AsMemory(read), read, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new ChunkCorruptException(hash, "shrank while being read");
                }

                read += n;
            }

            return data;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (_staged.ContainsKey(hash) || File.Exists(PathOf(hash)))
        {
            return;
        }

        var temporary = Path.Combine(_temporary, $"{hash}.{Guid.NewGuid():N}");
        await DurableFile.WriteUnflushedAsync(temporary, data, cancellationToken).ConfigureAwait(false);
        if (!_staged.TryAdd(hash, temporary))
        {
            DurableFile.TryDelete(temporary); // staged concurrently by another writer
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var staged = _staged.ToArray();
            if (staged.Length > 0)
            {
                // Data first: every staged file is durable before any of them gets its final name.
                _sync.FlushFileSystem(_temporary);
                foreach (var (hash, temporary) in staged)
                {
                    var path = PathOf(hash);
                    var directory = Path.GetDirectoryName(path)!;
                    if (!Directory.Exists(directory))
                    {
                        Directory.CreateDirectory(directory);
                        _directoriesToFlush.TryAdd(_chunks, 0); // the new directory's own name
                    }

                    File.Move(temporary, path, overwrite: true);
                    _staged.TryRemove(hash, out _);
                    _directoriesToFlush.TryAdd(directory, 0);
                }
            }

            // The new names: a few directories are cheaper to fsync one by one, many (an import touches up to
            // 4096 fan-out directories) in one more file-system flush, which commits their entries too. Taken out
            // of the set before flushing, so a delete that adds one meanwhile keeps it for the next flush; put back
            // if a flush fails, so a retry flushes them again instead of reporting their names durable.
            var directories = _directoriesToFlush.Keys.ToArray();
            foreach (var directory in directories)
            {
                _directoriesToFlush.TryRemove(directory, out _);
            }

            try
            {
                if (directories.Length > 16)
                {
                    _sync.FlushFileSystem(_chunks);
                }
                else
                {
                    foreach (var directory in directories)
                    {
                        _sync.FlushDirectory(directory);
                    }
                }
            }
            catch
            {
                foreach (var directory in directories)
                {
                    _directoriesToFlush.TryAdd(directory, 0);
                }

                throw;
            }
        }
        finally
        {
            _flushLock.Release();
        }
    }

    public ValueTask DeleteAsync(ChunkHash hash, CancellationToken cancellationToken = default)
    {
        if (_staged.TryRemove(hash, out var staged))
        {
            DurableFile.TryDelete(staged);
        }

        var path = PathOf(hash);
        DurableFile.TryDelete(path);
        _directoriesToFlush.TryAdd(Path.GetDirectoryName(path)!, 0);
        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<ChunkHash> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var directory in Directory.EnumerateDirectories(_chunks))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                if (ChunkHash.TryParse(Path.GetFileName(file.AsSpan()), out var hash))
                {
                    yield return hash;
                }
            }

            await Task.Yield();
        }
    }

    /// <summary>Where a chunk lives (tests use it to damage chunks on purpose).</summary>
    public string PathOf(ChunkHash hash)
    {
        var name = hash.ToString();
        return Path.Combine(_chunks, name[..3], name);
    }
}
