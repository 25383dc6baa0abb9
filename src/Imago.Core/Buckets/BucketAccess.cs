namespace Imago.Core.Buckets;

/// <summary>
/// The one gate for which buckets an account may read from (ImportImage) and write to (ExportImage, uploads).
/// A bucket another account owns answers exactly like a missing one (InvalidOSSBucket.NotFound).
/// </summary>
public static class BucketAccess
{
    /// <summary>The bucket exists in <paramref name="region"/> and <paramref name="caller"/> may use it; else a <see cref="BucketException"/>.</summary>
    public static async Task RequireAsync(IBucketStore buckets, Caller caller, string region, string bucket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        BucketNames.Require(region, bucket);
        var all = await buckets.ListBucketsAsync(region, cancellationToken).ConfigureAwait(false);
        if (!all.Any(b => string.Equals(b.Name, bucket, StringComparison.Ordinal)))
        {
            throw BucketException.BucketNotFound(region, bucket);
        }
    }
}
