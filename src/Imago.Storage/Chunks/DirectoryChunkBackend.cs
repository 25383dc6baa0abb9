using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Imago.Storage.IO;

namespace Imago.Storage.Chunks;

/// <summary>
/// Chunks as files: <c>chunks/ab/cd/abcd…</c> (two levels of 256-way fan-out by hash prefix keep every
/// directory small even at tens of millions of chunks). A chunk is written to <c>tmp/</c>, fsynced and renamed
/// into place; the directories that gained names are fsynced at <see cref="FlushAsync"/>, before the store
/// commits metadata that refers to them. Whatever a crash leaves in <c>tmp/</c> is removed on open.
/// </summary>
public sealed class DirectoryChunkBackend : IChunkBackend
{
    private readonly string _chunks;
    private readonly string _temporary;
    private readonly int _maxChunkBytes;
    private readonly ConcurrentDictionary<string, byte> _directoriesToFlush = new(StringComparer.Ordinal);

    /// <param name="directory">The backend's own directory (created when missing).</param>
    /// <param name="maxChunkBytes">No valid chunk is larger: a bigger file is reported corrupt, never loaded.</param>
    public DirectoryChunkBackend(string directory, int maxChunkBytes)
    {
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
        NativeSync.FlushDirectory(directory);
    }

    public ValueTask<bool> ContainsAsync(ChunkHash hash, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(File.Exists(PathOf(hash)));

    public async ValueTask<byte[]?> GetAsync(ChunkHash hash, CancellationToken cancellationToken = default)
    {
        var path = PathOf(hash);
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
        var path = PathOf(hash);
        if (File.Exists(path))
        {
            return;
        }

        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            // New directories must themselves be made durable in their parents.
            _directoriesToFlush.TryAdd(Path.GetDirectoryName(directory)!, 0);
            _directoriesToFlush.TryAdd(_chunks, 0);
        }

        var temporary = Path.Combine(_temporary, $"{hash}.{Guid.NewGuid():N}");
        await DurableFile.WriteAsync(path, temporary, data, flushDirectory: false, cancellationToken).ConfigureAwait(false);
        _directoriesToFlush.TryAdd(directory, 0);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        foreach (var directory in _directoriesToFlush.Keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _directoriesToFlush.TryRemove(directory, out _);
            NativeSync.FlushDirectory(directory);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteAsync(ChunkHash hash, CancellationToken cancellationToken = default)
    {
        var path = PathOf(hash);
        DurableFile.TryDelete(path);
        _directoriesToFlush.TryAdd(Path.GetDirectoryName(path)!, 0);
        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<ChunkHash> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var level1 in Directory.EnumerateDirectories(_chunks))
        {
            foreach (var level2 in Directory.EnumerateDirectories(level1))
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var file in Directory.EnumerateFiles(level2))
                {
                    if (ChunkHash.TryParse(Path.GetFileName(file.AsSpan()), out var hash))
                    {
                        yield return hash;
                    }
                }

                await Task.Yield();
            }
        }
    }

    /// <summary>Where a chunk lives (tests use it to damage chunks on purpose).</summary>
    public string PathOf(ChunkHash hash)
    {
        var name = hash.ToString();
        return Path.Combine(_chunks, name[..2], name[2..4], name);
    }
}
