namespace Imago.Core.Buckets;

public sealed partial class DirectoryBucketStore : IPartedPutBucketStore
{
    /// <summary>
    /// The put of <see cref="IPartedPutBucketStore"/>: the temp file is sized first (all holes), the parts are read,
    /// hashed and written at their places by several workers, then the header is written and the file flushed; then
    /// the same rename-and-flush as every put.
    /// </summary>
    public Task<ObjectInfo> PutPartsAsync(string region, string bucket, string key, IObjectContent content, IProgress<long>? progress,
        CancellationToken cancellationToken) =>
        PublishAsync(region, bucket, key, (keyBytes, temporary) => WritePartsAsync(temporary, keyBytes, content, progress, cancellationToken),
            cancellationToken);

    private async Task<ObjectHeader> WritePartsAsync(string temporary, byte[] keyBytes, IObjectContent content, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        // FileShare.None: the leftover sweep of another process leaves a live put's file alone (as OpenTemporary).
        using var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.Asynchronous);
        RandomAccess.SetLength(handle, ObjectHeader.Length + content.Length);
        var (md5, parts) = await new PartedContentWriter(content, handle, ObjectHeader.Length, _zeroDigests, progress).RunAsync(cancellationToken)
            .ConfigureAwait(false);
        var header = new ObjectHeader(keyBytes, content.Length, Now(), md5, new byte[32], parts);
        await RandomAccess.WriteAsync(handle, header.Encode(), 0, cancellationToken).ConfigureAwait(false);
        RandomAccess.FlushToDisk(handle);
        return header;
    }

    /// <summary>Now, at the header's precision (milliseconds).</summary>
    private DateTime Now() => DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds()).UtcDateTime;
}
