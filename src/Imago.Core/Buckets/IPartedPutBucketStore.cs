namespace Imago.Core.Buckets;

/// <summary>
/// A bucket store that can store content given by position in parts at once: what the service's own writers
/// (ExportImage) use instead of <see cref="IBucketStore.PutObjectAsync"/>, so that hashing a large object uses every
/// core and skips its holes. The object's ETag is then the one OSS gives an object stored by a multipart upload
/// (<see cref="ObjectParts"/>), not the MD5 of its content, as OSS does for objects it did not receive in one PUT.
/// Callers check for it and stream through <see cref="IBucketStore.PutObjectAsync"/> otherwise.
/// </summary>
public interface IPartedPutBucketStore
{
    /// <summary>
    /// Stores <paramref name="content"/> under <paramref name="key"/> with the guarantees of
    /// <see cref="IBucketStore.PutObjectAsync"/> (atomic replacement, crash safe). <paramref name="progress"/> gets
    /// the bytes stored so far (from several threads, never decreasing).
    /// </summary>
    Task<ObjectInfo> PutPartsAsync(string region, string bucket, string key, IObjectContent content, IProgress<long>? progress,
        CancellationToken cancellationToken);
}
