using Imago.Storage.IO;
using Microsoft.Win32.SafeHandles;

namespace Imago.Core.Buckets;

public sealed partial class DirectoryBucketStore
{
    /// <summary>
    /// Moves the file into the bucket's temp directory (a rename when both are on one file system), makes
    /// room for the header in front of the content with <see cref="FileRangeShift"/> (no byte is copied), hashes the
    /// content in place by parts (<see cref="ObjectParts"/>: the object's ETag is a multipart one), writes the header,
    /// flushes and renames over the object: the same temp-fsync-rename-fsync sequence as a put. Where the file cannot
    /// be shifted (a file system without FALLOC_FL_INSERT_RANGE, an empty file), its bytes are copied behind a header
    /// as <see cref="PutPartsAsync"/> does, with the same ETag.
    /// </summary>
    public Task<ObjectInfo> PutStagedFileAsync(string region, string bucket, string key, string path, IProgress<long>? progress,
        CancellationToken cancellationToken) =>
        PublishAsync(region, bucket, key, (keyBytes, temporary) => AdoptAsync(path, temporary, keyBytes, progress, cancellationToken), cancellationToken);

    private async Task<ObjectHeader> AdoptAsync(string path, string temporary, byte[] keyBytes, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        // A rename on one file system (File.Move copies across them, which is correct, only slower). Opened after
        // the move, so the handle is the temp file's; the leftover sweep of another process leaves it alone, as it
        // is locked (FileShare.None) and was just written.
        File.Move(path, temporary);
        using (var handle = File.OpenHandle(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None, FileOptions.Asynchronous))
        {
            var length = RandomAccess.GetLength(handle);
            if (FileRangeShift.TryInsertHole(handle, 0, ObjectHeader.Length))
            {
                return await HashInPlaceAsync(handle, length, keyBytes, progress, cancellationToken).ConfigureAwait(false);
            }
        }

        // The file system cannot shift the file: its bytes are copied behind a header.
        var aside = temporary + ".staged";
        File.Move(temporary, aside);
        try
        {
            using var source = File.OpenHandle(aside, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
            var content = new FileObjectContent(source, 0, RandomAccess.GetLength(source));
            return await WritePartsAsync(temporary, keyBytes, content, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            DurableFile.TryDelete(aside);
        }
    }

    /// <summary>Hashes the content (now after the header's room) by parts, writes the header and flushes the file.</summary>
    private async Task<ObjectHeader> HashInPlaceAsync(SafeFileHandle handle, long length, byte[] keyBytes, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        // The staged bytes are mostly not on disk yet: they are flushed while they are hashed (one is disk, the
        // other CPU), and the header with a second, short flush.
        var flushContent = Task.Run(() => RandomAccess.FlushToDisk(handle), CancellationToken.None);
        ObjectHeader header;
        try
        {
            var content = new FileObjectContent(handle, ObjectHeader.Length, length);
            var (md5, parts) = await new PartedContentWriter(content, null, 0, _zeroDigests, progress).RunAsync(cancellationToken).ConfigureAwait(false);
            header = new ObjectHeader(keyBytes, length, Now(), md5, new byte[32], parts);
        }
        finally
        {
            await flushContent.ConfigureAwait(false); // the handle outlives the flush, whatever failed
        }

        await RandomAccess.WriteAsync(handle, header.Encode(), 0, cancellationToken).ConfigureAwait(false);
        RandomAccess.FlushToDisk(handle);
        return header;
    }
}
