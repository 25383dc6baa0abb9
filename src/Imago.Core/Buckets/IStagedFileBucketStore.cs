namespace Imago.Core.Buckets;

/// <summary>
/// A bucket store that can take a finished local file as an object without copying its bytes: what an export
/// staged through a file (qcow2, VHD) uses instead of <see cref="IBucketStore.PutObjectAsync"/>, saving a second
/// write of the whole image. Only a store that keeps objects as local files offers it (<see cref="DirectoryBucketStore"/>);
/// callers check for it and stream the file through <see cref="IBucketStore.PutObjectAsync"/> otherwise.
/// </summary>
public interface IStagedFileBucketStore
{
    /// <summary>
    /// Stores the file at <paramref name="path"/> under <paramref name="key"/> with the guarantees of
    /// <see cref="IBucketStore.PutObjectAsync"/> (atomic replacement, crash safe). The file is consumed: on success it
    /// has become the object; on failure it may be gone or left as it was, and the caller removes what is left.
    /// Nothing else may use the file meanwhile. <paramref name="progress"/> gets the bytes stored so far.
    /// </summary>
    Task<ObjectInfo> PutStagedFileAsync(string region, string bucket, string key, string path, IProgress<long>? progress,
        CancellationToken cancellationToken);
}
