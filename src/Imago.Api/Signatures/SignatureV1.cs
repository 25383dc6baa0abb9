using System.Security.Cryptography;
using System.Text;

namespace Imago.Api.Signatures;

/// <summary>
/// The V1 ("RPC", HMAC-SHA1) signature of ecs-api.md 7.2: every parameter except <c>Signature</c> (query and form
/// merged, empty values included), names and values percent-encoded, sorted by name, joined; the string to sign is
/// <c>METHOD&amp;%2F&amp;encode(query)</c> and the key is the secret followed by <c>&amp;</c>.
/// </summary>
public static class SignatureV1
{
    public const string SignatureParameter = "Signature";

    public static string StringToSign(string httpMethod, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var encoded = parameters
            .Where(p => p.Key != SignatureParameter)
            .Select(p => (Name: PercentEncoding.Encode(p.Key), Value: PercentEncoding.Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value);
        var canonicalized = string.Join("&", encoded);
        return httpMethod.ToUpperInvariant() + "&" + PercentEncoding.Encode("/") + "&" + PercentEncoding.Encode(canonicalized);
    }

    /// <summary>Base64(HMAC-SHA1(secret + "&amp;", stringToSign)).</summary>
    public static string Sign(string secret, string stringToSign)
    {
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret + "&"), Encoding.UTF8.GetBytes(stringToSign));
        return Convert.ToBase64String(mac);
    }
}
