using System.Security.Cryptography;
using System.Text;

namespace Imago.Api.Signatures;

/// <summary>
/// The V3 signature <c>ACS3-HMAC-SHA256</c> of ecs-api.md 7.3: a canonical request (method, "/", sorted query with
/// RFC 3986 values, the signed headers as <c>name:value</c> lines, their names, the hex SHA-256 of the body), hashed
/// into the string to sign, signed with HMAC-SHA256 under the plain secret.
/// </summary>
public static class SignatureV3
{
    public const string Algorithm = "ACS3-HMAC-SHA256";

    /// <summary>The SHA-256 of an empty body, as clients send it in <c>x-acs-content-sha256</c>.</summary>
    public const string EmptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <param name="query">Decoded query parameters (the canonical form re-encodes them).</param>
    /// <param name="signedHeaders">Lower-case names in the order the Authorization header lists them (sorted here).</param>
    /// <param name="headerValues">The request's values of one header (empty when absent).</param>
    public static string CanonicalRequest(
        string httpMethod,
        IEnumerable<KeyValuePair<string, string>> query,
        IEnumerable<string> signedHeaders,
        Func<string, IReadOnlyList<string>> headerValues,
        string payloadHash)
    {
        var canonicalQuery = string.Join("&", query
            .Select(p => (Name: PercentEncoding.Encode(p.Key), Value: PercentEncoding.Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));

        var names = signedHeaders.Select(h => h.ToLowerInvariant()).Distinct().OrderBy(h => h, StringComparer.Ordinal).ToList();
        var canonicalHeaders = new StringBuilder();
        foreach (var name in names)
        {
            var values = headerValues(name).Select(v => v.Trim()).OrderBy(v => v, StringComparer.Ordinal);
            canonicalHeaders.Append(name).Append(':').Append(string.Join(",", values)).Append('\n');
        }

        return string.Join("\n", httpMethod.ToUpperInvariant(), "/", canonicalQuery, canonicalHeaders.ToString(), string.Join(";", names), payloadHash);
    }

    public static string StringToSign(string canonicalRequest) => Algorithm + "\n" + HexSha256(Encoding.UTF8.GetBytes(canonicalRequest));

    /// <summary>Lower-case hex HMAC-SHA256(secret, stringToSign).</summary>
    public static string Sign(string secret, string stringToSign) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign)));

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
