using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Imago.Core;
using Imago.Core.Accounts;
using Microsoft.AspNetCore.Http;

namespace Imago.Api.Objects;

/// <summary>Who signed an object API request.</summary>
public sealed record OssPrincipal(Caller Caller, string AccessKeyId);

/// <summary>
/// Checks an object API request's OSS V1 signature (<see cref="OssSignature"/>): from the Authorization header
/// (its Date, or x-oss-date, within <see cref="ClockSkew"/> of the server's clock) or from a presigned URL's query
/// (OSSAccessKeyId, Expires, Signature; refused once Expires has passed). Keys come from the same
/// <see cref="ICredentialStore"/> the ECS signatures use; a secret is never logged or echoed.
/// </summary>
public sealed class OssAuthenticator(ICredentialStore credentials, TimeProvider time)
{
    /// <summary>OSS's limit: a request signed more than 15 minutes from the server's time is refused.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(15);

    public async Task<OssPrincipal> AuthenticateAsync(HttpRequest request, ObjectPath path, CancellationToken cancellationToken)
    {
        var (accessKeyId, signature, dateLine) = request.Query.ContainsKey("OSSAccessKeyId")
            ? FromQuery(request.Query)
            : FromHeaders(request.Headers);
        var credential = await credentials.FindAsync(accessKeyId, cancellationToken).ConfigureAwait(false);
        if (credential is not { Enabled: true })
        {
            throw OssErrors.InvalidAccessKeyId();
        }

        var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString()));
        var stringToSign = OssSignature.StringToSign(request.Method, request.Headers["Content-MD5"].ToString(), request.ContentType,
            dateLine, headers, OssSignature.Resource(path.IsRegion ? null : path.Bucket, path.Key));
        var expected = OssSignature.Sign(credential.Secret, stringToSign);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(signature)))
        {
            throw OssErrors.SignatureDoesNotMatch(stringToSign);
        }

        return new OssPrincipal(new Caller(credential.AccountId), credential.AccessKeyId);
    }

    private (string AccessKeyId, string Signature, string DateLine) FromQuery(IQueryCollection query)
    {
        string Require(string name) =>
            query[name].ToString() is { Length: > 0 } value ? value : throw OssErrors.AccessDenied($"A presigned URL needs {name}.");

        var accessKeyId = Require("OSSAccessKeyId");
        var expires = Require("Expires");
        var signature = Require("Signature");
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            throw OssErrors.AccessDenied("Expires must be a time in seconds since 1970-01-01 UTC.");
        }

        if (time.GetUtcNow().ToUnixTimeSeconds() > expiresAt)
        {
            throw OssErrors.AccessDenied("Request has expired.");
        }

        return (accessKeyId, signature, expires);
    }

    private (string AccessKeyId, string Signature, string DateLine) FromHeaders(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            throw OssErrors.AccessDenied("The request is not signed: send an Authorization header (OSS AccessKeyId:Signature) or a presigned URL.");
        }

        var colon = authorization.LastIndexOf(':');
        if (!authorization.StartsWith(OssSignature.Scheme + " ", StringComparison.Ordinal) || colon <= OssSignature.Scheme.Length + 1
            || colon == authorization.Length - 1)
        {
            throw OssErrors.AccessDenied("The Authorization header must be 'OSS AccessKeyId:Signature'.");
        }

        var date = headers.Date.ToString();
        var signedTime = headers["x-oss-date"].ToString() is { Length: > 0 } ossDate ? ossDate : date;
        if (!DateTimeOffset.TryParseExact(signedTime, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            throw OssErrors.AccessDenied("The request needs a Date (or x-oss-date) header in RFC 1123 form, like Sun, 06 Nov 1994 08:49:37 GMT.");
        }

        var now = time.GetUtcNow();
        if ((signedAt - now).Duration() > ClockSkew)
        {
            throw OssErrors.RequestTimeTooSkewed(now.ToString("r", CultureInfo.InvariantCulture));
        }

        var accessKeyId = authorization[(OssSignature.Scheme.Length + 1)..colon].Trim();
        return (accessKeyId, authorization[(colon + 1)..].Trim(), date.Length > 0 ? date : signedTime);
    }
}
