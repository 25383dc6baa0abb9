using Imago.Formats.IO;

namespace Imago.Core.Buckets;

/// <summary>
/// The service's object store (its counterpart of OSS): buckets per region, objects named by keys. ImportImage
/// reads objects through <see cref="OpenByteSourceAsync"/> (the format engine reads by offset) and ExportImage
/// writes them with <see cref="PutObjectAsync"/>.
/// <para>
/// Nothing here names a local path: a bucket is (region, name), an object is (bucket, key), and content moves as
/// streams and positional reads, so an S3-compatible store plugs in behind the same interface: buckets map to
/// S3 buckets (or one S3 bucket per region with BUCKET/ as a key prefix), puts to PutObject or a multipart upload
/// fed from the stream (atomic in S3: an unfinished upload is never visible), positional reads to ranged GETs,
/// stat to HEAD, listing to ListObjectsV2 (prefix, start-after, max-keys), and S3's errors to
/// <see cref="BucketException"/> with the same codes. The embedded default is <see cref="DirectoryBucketStore"/>.
/// </para>
/// Every method validates its region id, bucket name and key first (<see cref="BucketNames"/>, <see cref="ObjectKeys"/>)
/// and refuses with a <see cref="BucketException"/>.
/// </summary>
public interface IBucketStore
{
    /// <summary>
    /// Creates an empty bucket owned by <paramref name="ownerAccountId"/> (null: an operator bucket, see
    /// <see cref="BucketAccess"/>); BucketAlreadyExists when it exists in the region.
    /// </summary>
    Task<BucketInfo> CreateBucketAsync(string region, string bucket, long? ownerAccountId, CancellationToken cancellationToken);

    /// <summary>Deletes an empty bucket; BucketNotEmpty while it holds objects.</summary>
    Task DeleteBucketAsync(string region, string bucket, CancellationToken cancellationToken);

    /// <summary>The region's buckets by name.</summary>
    Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(string region, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="content"/> (read to its end) under <paramref name="key"/>, replacing any object there
    /// atomically: readers see the old object or the whole new one, never part of it, also after a crash, a
    /// failure of <paramref name="content"/> or a cancellation. <paramref name="progress"/> gets the bytes stored so far.
    /// </summary>
    Task<ObjectInfo> PutObjectAsync(string region, string bucket, string key, Stream content, IProgress<long>? progress,
        CancellationToken cancellationToken);

    /// <summary>The object's content as positional reads (the format engine's source); a snapshot of the object at open.</summary>
    Task<IByteSource> OpenByteSourceAsync(string region, string bucket, string key, CancellationToken cancellationToken);

    /// <summary>The object's size, ETag, SHA-256 and last-modified time.</summary>
    Task<ObjectInfo> StatObjectAsync(string region, string bucket, string key, CancellationToken cancellationToken);

    /// <summary>Keys starting with <paramref name="prefix"/> after <paramref name="marker"/>, in byte order, at most <paramref name="maxKeys"/> (1-1000).</summary>
    Task<ObjectListing> ListObjectsAsync(string region, string bucket, string? prefix, string? marker, int maxKeys,
        CancellationToken cancellationToken);

    /// <summary>Deletes the object; InvalidOSSObject.NotFound when there is none.</summary>
    Task DeleteObjectAsync(string region, string bucket, string key, CancellationToken cancellationToken);
}

/// <summary>A bucket: its region, name, creation time (UTC) and owner (null: an operator bucket, usable by every account).</summary>
public sealed record BucketInfo(string Region, string Name, DateTime CreationTime, long? OwnerAccountId = null);

/// <summary>
/// An object's metadata. <paramref name="ETag"/> is the content's MD5 in upper-case hex, as OSS reports it for a
/// simple upload, or for an object stored in parts (an export) the multipart ETag <c>HEX-N</c> (<see cref="ObjectParts"/>);
/// <paramref name="Sha256"/> (lower-case hex) is the content's SHA-256, kept for simple uploads only (null otherwise).
/// </summary>
public sealed record ObjectInfo(string Key, long Size, string ETag, string? Sha256, DateTime LastModified)
{
    /// <summary>OSS's object type: <c>Multipart</c> for an object of several parts (its ETag is not an MD5), <c>Normal</c> otherwise.</summary>
    public string ObjectType => ETag.Contains('-', StringComparison.Ordinal) ? "Multipart" : "Normal";
}

/// <summary>One page of a listing; <paramref name="NextMarker"/> continues it when <paramref name="IsTruncated"/>.</summary>
public sealed record ObjectListing(IReadOnlyList<ObjectInfo> Objects, bool IsTruncated, string? NextMarker);

public static class BucketStoreExtensions
{
    /// <summary>Creates an operator bucket (no owner): what <c>imago admin bucket create</c> makes without --owner.</summary>
    public static Task<BucketInfo> CreateBucketAsync(this IBucketStore store, string region, string bucket, CancellationToken cancellationToken) =>
        store.CreateBucketAsync(region, bucket, null, cancellationToken);

    /// <summary>The bucket's metadata, or null when the region has no bucket of that name.</summary>
    public static async Task<BucketInfo?> FindBucketAsync(this IBucketStore store, string region, string bucket, CancellationToken cancellationToken)
    {
        BucketNames.Require(region, bucket);
        var all = await store.ListBucketsAsync(region, cancellationToken).ConfigureAwait(false);
        return all.FirstOrDefault(b => string.Equals(b.Name, bucket, StringComparison.Ordinal));
    }

    /// <summary>The object as a sequential read-only stream (over <see cref="IBucketStore.OpenByteSourceAsync"/>).</summary>
    public static async Task<Stream> OpenReadAsync(this IBucketStore store, string region, string bucket, string key,
        CancellationToken cancellationToken) =>
        new ByteSourceStream(await store.OpenByteSourceAsync(region, bucket, key, cancellationToken).ConfigureAwait(false));
}
