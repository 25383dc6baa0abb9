using System.Globalization;
using Imago.Core;
using Imago.Core.Buckets;
using Microsoft.AspNetCore.Http;

namespace Imago.Api.Objects;

/// <summary>PUT, DELETE, GET (list) and HEAD of a bucket: <c>/oss/{region}/{bucket}</c>.</summary>
public sealed class BucketOperations(IBucketStore store)
{
    /// <summary>OSS's default page of a listing.</summary>
    public const int DefaultMaxKeys = 100;

    /// <summary>
    /// A new bucket owned by the caller. Creating one the caller already owns is a success, as in OSS; a name taken
    /// by another account or by the operator is BucketAlreadyExists (names are unique per region).
    /// </summary>
    public async Task CreateAsync(HttpContext context, ObjectPath path, Caller caller, CancellationToken cancellationToken)
    {
        try
        {
            await store.CreateBucketAsync(path.Region, path.Bucket, caller.AccountId, cancellationToken).ConfigureAwait(false);
        }
        catch (BucketException error) when (error.Code == "BucketAlreadyExists")
        {
            var existing = await store.FindBucketAsync(path.Region, path.Bucket, cancellationToken).ConfigureAwait(false);
            if (existing?.OwnerAccountId != caller.AccountId)
            {
                throw;
            }
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }

    /// <summary>Only the owner deletes a bucket, and only an empty one.</summary>
    public async Task DeleteAsync(HttpContext context, ObjectPath path, Caller caller, CancellationToken cancellationToken)
    {
        await BucketAccess.RequireOwnerAsync(store, caller, path.Region, path.Bucket, cancellationToken).ConfigureAwait(false);
        await store.DeleteBucketAsync(path.Region, path.Bucket, cancellationToken).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async Task HeadAsync(HttpContext context, ObjectPath path, Caller caller, CancellationToken cancellationToken)
    {
        await BucketAccess.RequireAsync(store, caller, path.Region, path.Bucket, cancellationToken).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>ListObjects (V1): prefix, marker, max-keys (1-1000, default 100).</summary>
    public async Task ListAsync(HttpContext context, ObjectPath path, Caller caller, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var prefix = query["prefix"].ToString();
        var marker = query["marker"].ToString();
        var maxKeys = DefaultMaxKeys;
        if (query["max-keys"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out maxKeys) || maxKeys is < 1 or > 1000))
        {
            throw OssErrors.InvalidArgument("max-keys must be a number from 1 to 1000.");
        }

        var bucket = await BucketAccess.RequireAsync(store, caller, path.Region, path.Bucket, cancellationToken).ConfigureAwait(false);
        var listing = await store.ListObjectsAsync(path.Region, path.Bucket, NullIfEmpty(prefix), NullIfEmpty(marker), maxKeys, cancellationToken)
            .ConfigureAwait(false);
        var document = OssXml.ListBucketResult(path.Bucket, prefix, marker, maxKeys, listing, bucket.OwnerAccountId);
        await OssXml.WriteAsync(context.Response, StatusCodes.Status200OK, document, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>ListBuckets of one region: the buckets the caller may use (its own and the operator's), by name.</summary>
    public async Task ListBucketsAsync(HttpContext context, string region, bool served, Caller caller, CancellationToken cancellationToken)
    {
        var all = served ? await store.ListBucketsAsync(region, cancellationToken).ConfigureAwait(false) : [];
        var document = OssXml.ListAllMyBucketsResult(caller.AccountId, all.Where(b => BucketAccess.MayUse(b, caller)));
        await OssXml.WriteAsync(context.Response, StatusCodes.Status200OK, document, cancellationToken).ConfigureAwait(false);
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
