using Imago.Storage.IO;

namespace Imago.Core.Buckets;

public sealed partial class DirectoryBucketStore
{
    /// <summary>
    /// Moves the file into the bucket's temp directory (a rename when both are on one file system), makes
    /// room for the header in front of the content with <see cref="FileRangeShift"/> (no byte is copied), hashes the
    /// content in place, writes the header, flushes and renames over the object: the same temp-fsync-rename-fsync
    /// sequence as a put. Where the file cannot be shifted (a file system without FALLOC_FL_INSERT_RANGE, an empty
    /// file), it is put as a stream and removed.
    /// </summary>
    public async Task<ObjectInfo> PutStagedFileAsync(string region, string bucket, string key, string path, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        var keyBytes = ObjectKeys.Require(key);
        var bucketPath = RequireBucket(region, bucket);
        var (directory, objectPath) = ObjectPath(bucketPath, keyBytes);
        var temporary = Path.Combine(bucketPath, TemporaryDirectory, Guid.NewGuid().ToString("N"));
        try
        {
            // A rename on one file system (File.Move copies across them, which is correct, only slower). Opened
            // after the move, so the handle is the temp file's; the leftover sweep of another process leaves it
            // alone, as it is locked (FileShare.None) and was just written.
            File.Move(path, temporary);
            var handle = File.OpenHandle(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None, FileOptions.Asynchronous);
            var content = new ByteSourceStream(new ObjectFileSource(handle, RandomAccess.GetLength(handle))); // owns the handle
            ObjectHeader header;
            await using (content.ConfigureAwait(false))
            {
                if (!FileRangeShift.TryInsertHole(handle, 0, ObjectHeader.Length))
                {
                    await content.DisposeAsync().ConfigureAwait(false);
                    return await PutCopyAsync(region, bucket, key, temporary, progress, cancellationToken).ConfigureAwait(false);
                }

                // The content now starts after the header, where the object source reads it. The staged bytes are
                // mostly not on disk yet: they are flushed while they are hashed (one is disk, the other CPU), and
                // the header with a second, short flush.
                var flushContent = Task.Run(() => RandomAccess.FlushToDisk(handle), CancellationToken.None);
                try
                {
                    header = await HashContentAsync(keyBytes, content, static (_, _) => ValueTask.CompletedTask, progress, cancellationToken)
                        .ConfigureAwait(false);
                }
                finally
                {
                    await flushContent.ConfigureAwait(false); // the handle outlives the flush, whatever failed
                }

                await RandomAccess.WriteAsync(handle, header.Encode(), 0, cancellationToken).ConfigureAwait(false);
                RandomAccess.FlushToDisk(handle);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporary, objectPath, overwrite: true);
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

    /// <summary>The fallback: the file's bytes streamed through an ordinary put (into a temp file of its own).</summary>
    private async Task<ObjectInfo> PutCopyAsync(string region, string bucket, string key, string file, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        ObjectInfo info;
        var content = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        await using (content.ConfigureAwait(false))
        {
            info = await PutObjectAsync(region, bucket, key, content, progress, cancellationToken).ConfigureAwait(false);
        }

        return info;
    }
}
