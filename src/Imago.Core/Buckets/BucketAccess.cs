namespace Imago.Core.Buckets;

/// <summary>
/// The one gate for which buckets an account may use: read from (ImportImage, object GET/HEAD/list), write to
/// (ExportImage, object PUT/DELETE). A bucket belongs to the account that created it (object API PUT bucket,
/// <c>imago admin bucket create --owner</c>) and only that account may use it; a bucket another account owns
/// answers exactly like a missing one (InvalidOSSBucket.NotFound). A bucket without an owner is the operator's
/// (<c>imago admin bucket create</c> without --owner): a shared area every account may read and write objects in,
/// but none may delete (docs/buckets.md).
/// </summary>
public static class BucketAccess
{
    /// <summary>The bucket exists in <paramref name="region"/> and <paramref name="caller"/> may use it; else a <see cref="BucketException"/>.</summary>
    public static async Task<BucketInfo> RequireAsync(IBucketStore buckets, Caller caller, string region, string bucket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var info = await buckets.FindBucketAsync(region, bucket, cancellationToken).ConfigureAwait(false);
        return info is not null && MayUse(info, caller) ? info : throw BucketException.BucketNotFound(region, bucket);
    }

    /// <summary>
    /// As <see cref="RequireAsync"/>, and the caller owns the bucket: what deleting it takes. An operator bucket is
    /// visible to everyone, so refusing it as missing would be a lie: AccessDenied.
    /// </summary>
    public static async Task<BucketInfo> RequireOwnerAsync(IBucketStore buckets, Caller caller, string region, string bucket, CancellationToken cancellationToken)
    {
        var info = await RequireAsync(buckets, caller, region, bucket, cancellationToken).ConfigureAwait(false);
        return info.OwnerAccountId == caller.AccountId ? info : throw BucketException.AccessDenied(bucket);
    }

    /// <summary>Owned by the caller, or an operator bucket.</summary>
    public static bool MayUse(BucketInfo bucket, Caller caller) =>
        bucket.OwnerAccountId is null || bucket.OwnerAccountId == caller.AccountId;
}
