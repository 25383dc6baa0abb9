using System.Globalization;
using Imago.Core.Buckets;
using Imago.Core.Regions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Imago.Api.Objects;

/// <summary>
/// The object API on <c>/oss/{region}[/{bucket}[/{key}]]</c> (docs/buckets.md): OSS-style, path-style requests over
/// <see cref="IBucketStore"/>, signed with OSS V1 (<see cref="OssAuthenticator"/>), every bucket behind
/// <see cref="BucketAccess"/> (another account's bucket is NoSuchBucket). Every refusal is an OSS XML error body
/// with OSS's status; the request line logged names the key id, never a signature or secret.
/// </summary>
public sealed class ObjectEndpoint(OssAuthenticator authenticator, RegionCatalog regions, BucketOperations buckets, ObjectOperations objects,
    ILoggerFactory loggerFactory)
{
    public const string RequestIdHeader = "x-oss-request-id";

    private readonly ILogger _log = loggerFactory.CreateLogger("Imago.Objects");

    public async Task HandleAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString("N").ToUpperInvariant();
        var cancellationToken = context.RequestAborted;
        context.Response.Headers[RequestIdHeader] = requestId;
        var method = context.Request.Method;
        string? accessKeyId = null;
        string code = "OK";
        try
        {
            var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
            var path = ObjectPath.TryParse(rawTarget) ?? throw OssErrors.InvalidArgument("Use /oss/{region}, /oss/{region}/{bucket} or /oss/{region}/{bucket}/{key}.");
            var principal = await authenticator.AuthenticateAsync(context.Request, path, cancellationToken).ConfigureAwait(false);
            accessKeyId = principal.AccessKeyId;
            try
            {
                await DispatchAsync(context, path, principal, cancellationToken).ConfigureAwait(false);
            }
            catch (BucketException error)
            {
                throw OssErrors.From(error, path.Bucket);
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away (an upload cut off shows as a reset, not a cancellation): no one to answer.
            code = "ClientClosedRequest";
        }
        catch (OssException error)
        {
            code = error.Code;
            await TryWriteErrorAsync(context, error, requestId, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException error)
        {
            // The upload ended early, or broke the body's framing: nothing was stored (puts are atomic).
            var refusal = error.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new OssException("EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.", 400)
                : new OssException("IncompleteBody", "The request body ended before its declared length.", 400);
            code = refusal.Code;
            await TryWriteErrorAsync(context, refusal, requestId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // The server's disk failed the request, not the client: OSS's InternalError, logged without the request's headers.
            ObjectLog.Failed(_log, requestId, error);
            var refusal = new OssException("InternalError", "The service could not complete the request; try again.", 500);
            code = refusal.Code;
            await TryWriteErrorAsync(context, refusal, requestId, cancellationToken).ConfigureAwait(false);
        }

        ObjectLog.Completed(_log, requestId, method, accessKeyId ?? "-", context.Response.StatusCode, code);
    }

    private Task DispatchAsync(HttpContext context, ObjectPath path, OssPrincipal principal, CancellationToken cancellationToken)
    {
        var caller = principal.Caller;
        if (path.IsRegion)
        {
            return context.Request.Method == "GET" ? buckets.ListBucketsAsync(context, path.Region, regions.Contains(path.Region), caller, cancellationToken)
                : throw OssErrors.MethodNotAllowed();
        }

        if (!regions.Contains(path.Region))
        {
            // Buckets exist only in the regions the service runs: none elsewhere, and none can be made there.
            throw context.Request.Method == "PUT" && path.Key is null
                ? OssErrors.InvalidArgument($"Region '{BucketException.Printable(path.Region)}' is not one of this service's regions.")
                : OssErrors.NoSuchBucket(path.Bucket);
        }

        return (context.Request.Method, path.Key) switch
        {
            ("PUT", null) => buckets.CreateAsync(context, path, caller, cancellationToken),
            ("DELETE", null) => buckets.DeleteAsync(context, path, caller, cancellationToken),
            ("GET", null) => buckets.ListAsync(context, path, caller, cancellationToken),
            ("HEAD", null) => buckets.HeadAsync(context, path, caller, cancellationToken),
            ("PUT", { } key) => objects.PutAsync(context, path, key, caller, cancellationToken),
            ("GET", { } key) => objects.GetAsync(context, path, key, caller, withBody: true, cancellationToken),
            ("HEAD", { } key) => objects.GetAsync(context, path, key, caller, withBody: false, cancellationToken),
            ("DELETE", { } key) => objects.DeleteAsync(context, path, key, caller, cancellationToken),
            _ => throw OssErrors.MethodNotAllowed(),
        };
    }

    private static async Task TryWriteErrorAsync(HttpContext context, OssException error, string requestId, CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted || cancellationToken.IsCancellationRequested)
        {
            return;
        }

        context.Response.Headers.Remove("ETag");
        context.Response.Headers.Remove("Content-Range");
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = error.Status; // a HEAD answer has no body: the status and the request id say it
            context.Response.Headers["x-oss-ec"] = error.Code;
            return;
        }

        await OssXml.WriteAsync(context.Response, error.Status, OssXml.Error(error, requestId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The unbounded body an upload needs, for this request only (Kestrel's default of 30 MB stays for all others).</summary>
    internal static void AllowLargeBody(HttpContext context, long limit)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }
    }

    internal static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
