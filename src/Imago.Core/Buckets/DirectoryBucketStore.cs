using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Imago.Formats.IO;
using Imago.Storage.IO;
using Microsoft.Win32.SafeHandles;

namespace Imago.Core.Buckets;

/// <summary>
/// The embedded bucket store: a directory per region and bucket under <c>DATA/buckets</c> (docs/buckets.md).
/// <code>
/// DATA/buckets/REGION/BUCKET/bucket.json          {"CreationTime":"...","OwnerAccountId":42 or null}
/// DATA/buckets/REGION/BUCKET/objects/ab/ab…(64)   one file per object: header (key, size, MD5, SHA-256, time) + content
/// DATA/buckets/REGION/BUCKET/tmp/GUID             puts in progress (locked by their writer)
/// </code>
/// A key never becomes a path: its file name is the SHA-256 of the key (<see cref="ObjectKeys"/>). Puts are crash
/// safe: temp file, fsync, rename over the old object, fsync of the directory. It takes no store-wide lock, so the
/// service and <c>imago admin bucket</c> use the same directories at once; every change is one rename.
/// </summary>
public sealed partial class DirectoryBucketStore : IBucketStore, IStagedFileBucketStore
{
    private const int CopyBufferSize = 1 << 20;

    private const string ObjectsDirectory = "objects";
    private const string TemporaryDirectory = "tmp";
    private const string BucketFile = "bucket.json";

    private readonly string _root;
    private readonly TimeProvider _time;
    private readonly ZeroPartDigests _zeroDigests = new();

    private DirectoryBucketStore(string root, TimeProvider time)
    {
        _root = root;
        _time = time;
    }

    /// <summary>The store of a data directory; removes what dead processes left behind (stale temp files, half-made or half-deleted buckets).</summary>
    public static DirectoryBucketStore Open(string dataDirectory, TimeProvider? time = null)
    {
        var store = new DirectoryBucketStore(Path.Combine(Path.GetFullPath(dataDirectory), "buckets"), time ?? TimeProvider.System);
        BucketLeftovers.Sweep(store._root, store._time.GetUtcNow(), HoldsObjects);
        return store;
    }

    public async Task<BucketInfo> CreateBucketAsync(string region, string bucket, long? ownerAccountId, CancellationToken cancellationToken)
    {
        BucketNames.Require(region, bucket);
        var regionDirectory = EnsureRegionDirectory(region);
        var path = Path.Combine(regionDirectory, bucket);
        if (Directory.Exists(path))
        {
            throw BucketException.BucketExists(region, bucket);
        }

        // Built aside and renamed into place: a bucket directory is always complete. rename(2) of a directory onto
        // a non-empty one fails, so of two concurrent creates exactly one wins.
        var staging = Path.Combine(regionDirectory, BucketLeftovers.CreatingName(_time.GetUtcNow()));
        var info = new BucketInfo(region, bucket, TruncatedNow(), ownerAccountId);
        try
        {
            // All 256 fan-out directories up front: a put never creates a directory, so a put racing with the
            // bucket's deletion cannot bring its path back.
            for (var i = 0; i < 256; i++)
            {
                Directory.CreateDirectory(Path.Combine(staging, ObjectsDirectory, i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            }

            Directory.CreateDirectory(Path.Combine(staging, TemporaryDirectory));
            var json = JsonSerializer.SerializeToUtf8Bytes(new BucketRecord(info.CreationTime, ownerAccountId));
            await using (var stream = new FileStream(Path.Combine(staging, BucketFile), FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true))
            {
                await stream.WriteAsync(json, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            NativeSync.FlushDirectory(staging);
            try
            {
                Directory.Move(staging, path);
            }
            catch (IOException) when (Directory.Exists(path))
            {
                throw BucketException.BucketExists(region, bucket);
            }

            NativeSync.FlushDirectory(regionDirectory);
            return info;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                BucketLeftovers.TryDeleteDirectory(staging);
            }
        }
    }

    public Task DeleteBucketAsync(string region, string bucket, CancellationToken cancellationToken)
    {
        var path = RequireBucket(region, bucket);
        var regionDirectory = Path.GetDirectoryName(path)!;

        // Renamed away first, so a put racing with the delete fails (its bucket is gone) instead of landing in it.
        var doomed = Path.Combine(regionDirectory, BucketLeftovers.DeletingName(_time.GetUtcNow(), bucket));
        try
        {
            Directory.Move(path, doomed);
        }
        catch (DirectoryNotFoundException)
        {
            throw BucketException.BucketNotFound(region, bucket);
        }

        if (HoldsObjects(doomed))
        {
            Directory.Move(doomed, path);
            throw BucketException.BucketNotEmpty(bucket);
        }

        NativeSync.FlushDirectory(regionDirectory);
        BucketLeftovers.TryDeleteDirectory(doomed);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(string region, CancellationToken cancellationToken)
    {
        if (!Regions.RegionCatalog.IsRegionId(region))
        {
            throw BucketException.InvalidRegion(region);
        }

        var regionDirectory = Path.Combine(_root, region);
        if (!Directory.Exists(regionDirectory))
        {
            return [];
        }

        var buckets = new List<BucketInfo>();
        foreach (var directory in Directory.EnumerateDirectories(regionDirectory))
        {
            var name = Path.GetFileName(directory);
            if (BucketNames.IsValid(name) && await ReadBucketRecordAsync(directory, cancellationToken).ConfigureAwait(false) is { } record)
            {
                buckets.Add(new BucketInfo(region, name, record.CreationTime, record.OwnerAccountId));
            }
        }

        return [.. buckets.OrderBy(b => b.Name, StringComparer.Ordinal)];
    }

    public Task<ObjectInfo> PutObjectAsync(string region, string bucket, string key, Stream content, IProgress<long>? progress,
        CancellationToken cancellationToken) =>
        PublishAsync(region, bucket, key, (keyBytes, temporary) => WriteTemporaryAsync(temporary, keyBytes, content, progress, cancellationToken),
            cancellationToken);

    /// <summary>
    /// The put's sequence: <paramref name="write"/> makes a temp file in the bucket holding the whole object and
    /// flushed (and returns its header); it is renamed over the object and the directory flushed. Whatever fails,
    /// the temp file goes, so readers see the old object or the new one.
    /// </summary>
    private async Task<ObjectInfo> PublishAsync(string region, string bucket, string key, Func<byte[], string, Task<ObjectHeader>> write,
        CancellationToken cancellationToken)
    {
        var keyBytes = ObjectKeys.Require(key);
        var bucketPath = RequireBucket(region, bucket);
        var (directory, path) = ObjectPath(bucketPath, keyBytes);
        var temporary = Path.Combine(bucketPath, TemporaryDirectory, Guid.NewGuid().ToString("N"));
        try
        {
            var header = await write(keyBytes, temporary).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporary, path, overwrite: true);
            NativeSync.FlushDirectory(directory);
            return header.ToInfo();
        }
        catch (IOException) when (!File.Exists(Path.Combine(bucketPath, BucketFile)))
        {
            throw BucketException.BucketNotFound(region, bucket); // deleted while the put ran
        }
        finally
        {
            DurableFile.TryDelete(temporary);
        }
    }

    /// <summary>Writes the object file <paramref name="temporary"/>: the content read to its end after the header, then the header, flushed.</summary>
    private async Task<ObjectHeader> WriteTemporaryAsync(string temporary, byte[] keyBytes, Stream content, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        // FileShare.None holds a flock on the temp file while it is written: the leftover sweep of another
        // process never removes a live put's file. It is released before the rename, so readers never meet it.
        var stream = OpenTemporary(temporary);
        await using (stream.ConfigureAwait(false))
        {
            var header = await WriteContentAsync(stream, keyBytes, content, progress, cancellationToken).ConfigureAwait(false);
            stream.Position = 0;
            await stream.WriteAsync(header.Encode(), cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
            return header;
        }
    }

    public async Task<IByteSource> OpenByteSourceAsync(string region, string bucket, string key, CancellationToken cancellationToken)
    {
        var (handle, header) = await OpenObjectAsync(region, bucket, key, cancellationToken).ConfigureAwait(false);
        return new ObjectFileSource(handle, header.Size);
    }

    public async Task<ObjectInfo> StatObjectAsync(string region, string bucket, string key, CancellationToken cancellationToken)
    {
        var (handle, header) = await OpenObjectAsync(region, bucket, key, cancellationToken).ConfigureAwait(false);
        handle.Dispose();
        return header.ToInfo();
    }

    public async Task<ObjectListing> ListObjectsAsync(string region, string bucket, string? prefix, string? marker, int maxKeys,
        CancellationToken cancellationToken)
    {
        if (maxKeys is < 1 or > 1000)
        {
            throw BucketException.InvalidArgument($"max-keys must be between 1 and 1000, not {maxKeys}");
        }

        var bucketPath = RequireBucket(region, bucket);
        var prefixBytes = Encoding.UTF8.GetBytes(prefix ?? "");
        var markerBytes = Encoding.UTF8.GetBytes(marker ?? "");

        // Every object's header is read: keys are not in the file names. Linear in the bucket's objects, which is
        // what an embedded store for image files needs (an S3 store lists natively).
        var matches = new List<(byte[] Key, ObjectHeader Header)>();
        foreach (var file in ObjectFiles(bucketPath))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var header = await TryReadHeaderAsync(file, cancellationToken).ConfigureAwait(false);
            if (header is not null && header.KeyBytes.AsSpan().StartsWith(prefixBytes)
                && header.KeyBytes.AsSpan().SequenceCompareTo(markerBytes) > 0)
            {
                matches.Add((header.KeyBytes, header));
            }
        }

        matches.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        var page = matches.Take(maxKeys).Select(m => m.Header.ToInfo()).ToArray();
        var truncated = matches.Count > maxKeys;
        return new ObjectListing(page, truncated, truncated ? page[^1].Key : null);
    }

    public Task DeleteObjectAsync(string region, string bucket, string key, CancellationToken cancellationToken)
    {
        var keyBytes = ObjectKeys.Require(key);
        var bucketPath = RequireBucket(region, bucket);
        var (directory, path) = ObjectPath(bucketPath, keyBytes);
        if (!File.Exists(path))
        {
            throw BucketException.ObjectNotFound(bucket, key);
        }

        File.Delete(path);
        NativeSync.FlushDirectory(directory);
        return Task.CompletedTask;
    }

    private async Task<ObjectHeader> WriteContentAsync(FileStream stream, byte[] keyBytes, Stream content, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        stream.Position = ObjectHeader.Length;
        var header = await HashContentAsync(keyBytes, content, (data, ct) => WriteSparseAsync(stream, data, ct), progress, cancellationToken)
            .ConfigureAwait(false);

        // Trailing zero blocks were skipped: the length still covers them (as holes).
        stream.SetLength(ObjectHeader.Length + header.Size);
        return header;
    }

    /// <summary>
    /// Reads <paramref name="content"/> to its end and returns the object's header (size, MD5, SHA-256, now), handing
    /// every buffer to <paramref name="write"/> in order. Two buffers: while one is hashed (MD5 and SHA-256 on their
    /// own threads) and written, the next is read from the source. Hashing is most of a put's CPU (about 3 s per GiB
    /// for both in turn on one core).
    /// </summary>
    private async Task<ObjectHeader> HashContentAsync(byte[] keyBytes, Stream content, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write,
        IProgress<long>? progress, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[][] buffers = [new byte[CopyBufferSize], new byte[CopyBufferSize]];
        long size = 0;
        progress?.Report(0);
        var current = 0;
        var n = await content.ReadAtLeastAsync(buffers[0], CopyBufferSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        while (n > 0)
        {
            var buffer = buffers[current];
            var length = n;
            var hashMd5 = Task.Run(() => md5.AppendData(buffer, 0, length), CancellationToken.None);
            var hashSha256 = Task.Run(() => sha256.AppendData(buffer, 0, length), CancellationToken.None);
            var next = content.ReadAtLeastAsync(buffers[1 - current], CopyBufferSize, throwOnEndOfStream: false, cancellationToken).AsTask();
            try
            {
                await write(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Nothing may still touch the buffers or the hashes when this method leaves, whatever failed.
                await Task.WhenAll(hashMd5, hashSha256).ConfigureAwait(false);
                try
                {
                    await next.ConfigureAwait(false);
                }
                catch when (next.IsFaulted || next.IsCanceled)
                {
                    // Observed below on the normal path; on a failed write, the write's exception is the one to report.
                }
            }

            size += length;
            progress?.Report(size);
            n = await next.ConfigureAwait(false);
            current = 1 - current;
        }

        return new ObjectHeader(keyBytes, size, Now(), md5.GetHashAndReset(), sha256.GetHashAndReset());
    }

    /// <summary>
    /// Writes <paramref name="data"/> at the stream's position, leaving a hole for every all-zero block
    /// (<see cref="SparseBlocks"/>). Blocks are aligned to the object's content (the header is 4 KiB), because every
    /// read but the last of a put fills the whole buffer.
    /// </summary>
    private static async ValueTask WriteSparseAsync(FileStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var position = stream.Position;
        for (var start = SparseBlocks.NextDataRun(data.Span, 0, out var end); start < data.Length; start = SparseBlocks.NextDataRun(data.Span, end, out end))
        {
            stream.Position = position + start;
            await stream.WriteAsync(data[start..end], cancellationToken).ConfigureAwait(false);
        }

        stream.Position = position + data.Length;
    }

    private static FileStream OpenTemporary(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.ReadWrite,
        Share = FileShare.None,
        Options = FileOptions.Asynchronous,
    });

    private async Task<(SafeFileHandle Handle, ObjectHeader Header)> OpenObjectAsync(string region, string bucket, string key,
        CancellationToken cancellationToken)
    {
        var keyBytes = ObjectKeys.Require(key);
        var bucketPath = RequireBucket(region, bucket);
        var (_, path) = ObjectPath(bucketPath, keyBytes);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw BucketException.ObjectNotFound(bucket, key);
        }

        try
        {
            var buffer = new byte[ObjectHeader.Length];
            var read = await RandomAccess.ReadAsync(handle, buffer, 0, cancellationToken).ConfigureAwait(false);
            var header = ObjectHeader.TryDecode(buffer.AsSpan(0, read), RandomAccess.GetLength(handle))
                ?? throw BucketException.Corrupt(bucket, key, "its header is not valid");

            // Another key with the same SHA-256 would be needed to get here; answer as for a missing object.
            return header.KeyBytes.AsSpan().SequenceEqual(keyBytes) ? (handle, header) : throw BucketException.ObjectNotFound(bucket, key);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static async Task<ObjectHeader?> TryReadHeaderAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
            var buffer = new byte[ObjectHeader.Length];
            var read = await RandomAccess.ReadAsync(handle, buffer, 0, cancellationToken).ConfigureAwait(false);
            return ObjectHeader.TryDecode(buffer.AsSpan(0, read), RandomAccess.GetLength(handle));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // deleted or replaced while listing
        }
    }

    private static bool HoldsObjects(string bucketPath) => ObjectFiles(bucketPath).Any();

    private static IEnumerable<string> ObjectFiles(string bucketPath) =>
        Directory.EnumerateFiles(Path.Combine(bucketPath, ObjectsDirectory), "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).Length == 64);

    private static (string Directory, string Path) ObjectPath(string bucketPath, byte[] keyBytes)
    {
        var name = ObjectKeys.FileName(keyBytes);
        var directory = Path.Combine(bucketPath, ObjectsDirectory, name[..2]);
        return (directory, Path.Combine(directory, name));
    }

    private string RequireBucket(string region, string bucket)
    {
        BucketNames.Require(region, bucket);
        var path = Path.Combine(_root, region, bucket);
        return File.Exists(Path.Combine(path, BucketFile)) ? path : throw BucketException.BucketNotFound(region, bucket);
    }

    private string EnsureRegionDirectory(string region)
    {
        var regionDirectory = Path.Combine(_root, region);
        if (!Directory.Exists(regionDirectory))
        {
            Directory.CreateDirectory(regionDirectory);
            NativeSync.FlushDirectory(_root);
            NativeSync.FlushDirectory(Path.GetDirectoryName(_root)!);
        }

        return regionDirectory;
    }

    private static async Task<BucketRecord?> ReadBucketRecordAsync(string bucketPath, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(bucketPath, BucketFile), cancellationToken).ConfigureAwait(false);
            return bytes.Length <= 4096 ? JsonSerializer.Deserialize<BucketRecord>(bytes) : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private DateTime TruncatedNow()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
    }

    /// <summary>bucket.json. Files written before owners existed have no OwnerAccountId: operator buckets.</summary>
    private sealed record BucketRecord(DateTime CreationTime, long? OwnerAccountId = null);
}
