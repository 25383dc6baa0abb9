using System.Security.Cryptography;
using System.Text;

namespace Imago.Api.Objects;

/// <summary>
/// OSS signature V1 (HMAC-SHA1), as OSS documents it for the Authorization header ("OSS AccessKeyId:Signature")
/// and for presigned URLs (OSSAccessKeyId, Expires, Signature): the string to sign is
/// <c>VERB\nContent-MD5\nContent-Type\nDate\n</c> + the canonicalized <c>x-oss-</c> headers + the canonicalized
/// resource (<c>/bucket/key</c>, the key unencoded). A presigned URL puts Expires (Unix seconds) where Date goes.
/// Public so the <c>imago</c> client signs with the same code the service checks with.
/// </summary>
public static class OssSignature
{
    public const string Scheme = "OSS";

    public static string StringToSign(string verb, string? contentMd5, string? contentType, string date,
        IEnumerable<KeyValuePair<string, string>> headers, string resource)
    {
        var text = new StringBuilder();
        text.Append(verb.ToUpperInvariant()).Append('\n')
            .Append(contentMd5 ?? "").Append('\n')
            .Append(contentType ?? "").Append('\n')
            .Append(date).Append('\n');
        foreach (var (name, value) in CanonicalHeaders(headers))
        {
            text.Append(name).Append(':').Append(value).Append('\n');
        }

        return text.Append(resource).ToString();
    }

    /// <summary>The <c>x-oss-</c> headers, names lower-cased, values trimmed, sorted by name; repeated names joined by commas.</summary>
    public static IEnumerable<(string Name, string Value)> CanonicalHeaders(IEnumerable<KeyValuePair<string, string>> headers) =>
        headers
            .Where(h => h.Key.StartsWith("x-oss-", StringComparison.OrdinalIgnoreCase))
            .GroupBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, string.Join(",", g.Select(h => h.Value.Trim()))));

    /// <summary>The canonicalized resource: <c>/</c>, <c>/bucket/</c> or <c>/bucket/key</c>.</summary>
    public static string Resource(string? bucket, string? key) =>
        bucket is null ? "/" : "/" + bucket + "/" + (key ?? "");

    /// <summary>Base64(HMAC-SHA1(secret, stringToSign)). Unlike the ECS RPC signature, the key is the secret alone.</summary>
    public static string Sign(string secret, string stringToSign) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign)));
}
