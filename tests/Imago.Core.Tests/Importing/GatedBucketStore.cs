using Imago.Core.Buckets;
using Imago.Formats.IO;

namespace Imago.Core.Tests.Importing;

/// <summary>
/// A bucket store whose opening of one key (an import) or put of another (an export) waits until cancelled: the task
/// held mid-way, deterministically.
/// </summary>
internal sealed class GatedBucketStore(IBucketStore inner, string gatedKey, string? gatedPutKey = null)
    : IBucketStore, IStagedFileBucketStore, IPartedPutBucketStore
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the task reaches the gated object.</summary>
    public Task Entered => _entered.Task;

    public async Task<IByteSource> OpenByteSourceAsync(string region, string bucket, string key, CancellationToken cancellationToken)
    {
        if (key == gatedKey)
        {
            _entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return await inner.OpenByteSourceAsync(region, bucket, key, cancellationToken);
    }

    public Task<BucketInfo> CreateBucketAsync(string region, string bucket, long? ownerAccountId, CancellationToken cancellationToken) =>
        inner.CreateBucketAsync(region, bucket, ownerAccountId, cancellationToken);

    /// <summary>An operator bucket, as the tests make them.</summary>
    public Task<BucketInfo> CreateBucketAsync(string region, string bucket, CancellationToken cancellationToken) =>
        inner.CreateBucketAsync(region, bucket, null, cancellationToken);

    public Task DeleteBucketAsync(string region, string bucket, CancellationToken cancellationToken) =>
        inner.DeleteBucketAsync(region, bucket, cancellationToken);

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(string region, CancellationToken cancellationToken) =>
        inner.ListBucketsAsync(region, cancellationToken);

    public async Task<ObjectInfo> PutObjectAsync(string region, string bucket, string key, Stream content, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        await GatePutAsync(key, cancellationToken);
        return await inner.PutObjectAsync(region, bucket, key, content, progress, cancellationToken);
    }

    /// <summary>The inner store's staged put (so exports take the path serve takes), gated like a put.</summary>
    public async Task<ObjectInfo> PutStagedFileAsync(string region, string bucket, string key, string path, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        await GatePutAsync(key, cancellationToken);
        return await ((IStagedFileBucketStore)inner).PutStagedFileAsync(region, bucket, key, path, progress, cancellationToken);
    }

    /// <summary>The inner store's put in parts (so raw exports take the path serve takes), gated like a put.</summary>
    public async Task<ObjectInfo> PutPartsAsync(string region, string bucket, string key, IObjectContent content, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        await GatePutAsync(key, cancellationToken);
        return await ((IPartedPutBucketStore)inner).PutPartsAsync(region, bucket, key, content, progress, cancellationToken);
    }

    private async Task GatePutAsync(string key, CancellationToken cancellationToken)
    {
        if (key == gatedPutKey)
        {
            _entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    public Task<ObjectInfo> StatObjectAsync(string region, string bucket, string key, CancellationToken cancellationToken) =>
        inner.StatObjectAsync(region, bucket, key, cancellationToken);

    public Task<ObjectListing> ListObjectsAsync(string region, string bucket, string? prefix, string? marker, int maxKeys, CancellationToken cancellationToken) =>
        inner.ListObjectsAsync(region, bucket, prefix, marker, maxKeys, cancellationToken);

    public Task DeleteObjectAsync(string region, string bucket, string key, CancellationToken cancellationToken) =>
        inner.DeleteObjectAsync(region, bucket, key, cancellationToken);
}
