using Imago.Core;
using Imago.Core.Buckets;
using Microsoft.AspNetCore.Http;

namespace Imago.Api.Objects;

/// <summary>PUT, GET, HEAD and DELETE of an object: <c>/oss/{region}/{bucket}/{key}</c>.</summary>
public sealed class ObjectOperations(IBucketStore store)
{
    /// <summary>The largest upload (the body limit of this route alone): disk images are large, and the body is streamed to disk.</summary>
    public const long MaxObjectBytes = 5L << 40;

    private const int ChunkBytes = 1 << 20;

    /// <summary>The body goes straight into the store's put (never buffered whole), checked against Content-MD5 when given.</summary>
    public async Task PutAsync(HttpContext context, ObjectPath path, string key, Caller caller, CancellationToken cancellationToken)
    {
        ObjectEndpoint.AllowLargeBody(context, MaxObjectBytes);
        var expected = context.Request.Headers["Content-MD5"].ToString() is { Length: > 0 } md5 ? ContentMd5Stream.Decode(md5) : null;
        await BucketAccess.RequireAsync(store, caller, path.Region, path.Bucket, cancellationToken).ConfigureAwait(false);
        var body = context.Request.Body;
        await using var checkedBody = expected is null ? null : new ContentMd5Stream(body, expected);
        var info = await store.PutObjectAsync(path.Region, path.Bucket, key, checkedBody ?? body, null, cancellationToken).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.ETag = OssXml.Quoted(info.ETag);
        context.Response.ContentLength = 0;
    }

    /// <summary>GET (with one Range: 206 and Content-Range) or HEAD (the headers alone).</summary>
    public async Task GetAsync(HttpContext context, ObjectPath path, string key, Caller caller, bool withBody, CancellationToken cancellationToken)
    {
        await BucketAccess.RequireAsync(store, caller, path.Region, path.Bucket, cancellationToken).ConfigureAwait(false);
        using var source = await store.OpenByteSourceAsync(path.Region, path.Bucket, key, cancellationToken).ConfigureAwait(false);
        var info = await store.StatObjectAsync(path.Region, path.Bucket, key, cancellationToken).ConfigureAwait(false);
        var size = source.Length;
        var range = withBody || context.Request.Headers.Range.Count > 0 ? ByteRange.Parse(context.Request.Headers.Range.ToString(), size) : null;
        var response = context.Response;
        response.Headers.ETag = OssXml.Quoted(info.ETag);
        response.Headers["x-oss-object-type"] = info.ObjectType;
        response.Headers.LastModified = info.LastModified.ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        response.Headers.AcceptRanges = "bytes";
        response.ContentType = "application/octet-stream";
        var (start, length) = range is { } r ? (r.Start, r.Length) : (0L, size);
        if (range is { } partial)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {ObjectEndpoint.Number(partial.Start)}-{ObjectEndpoint.Number(partial.End)}/{ObjectEndpoint.Number(size)}";
        }
        else
        {
            response.StatusCode = StatusCodes.Status200OK;
        }

        response.ContentLength = length;
        if (!withBody)
        {
            return;
        }

        var buffer = new byte[(int)Math.Min(ChunkBytes, Math.Max(length, 1))];
        for (var done = 0L; done < length;)
        {
            var n = await source.ReadAsync(start + done, buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - done)), cancellationToken).ConfigureAwait(false);
            if (n <= 0)
            {
                throw new IOException("the object ended before its size");
            }

            await response.Body.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            done += n;
        }
    }

    /// <summary>As in OSS, deleting a key that does not exist succeeds (204); the bucket must exist and be usable.</summary>
    public async Task DeleteAsync(HttpContext context, ObjectPath path, string key, Caller caller, CancellationToken cancellationToken)
    {
        await BucketAccess.RequireAsync(store, caller, path.Region, path.Bucket, cancellationToken).ConfigureAwait(false);
        try
        {
            await store.DeleteObjectAsync(path.Region, path.Bucket, key, cancellationToken).ConfigureAwait(false);
        }
        catch (BucketException error) when (error.Code == "InvalidOSSObject.NotFound")
        {
            // Idempotent, as OSS's DeleteObject.
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
