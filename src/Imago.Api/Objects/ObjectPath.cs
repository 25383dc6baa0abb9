using System.Text;

namespace Imago.Api.Objects;

/// <summary>
/// The target of an object API request, from the raw request target (so an encoded <c>/</c> or <c>%2F</c> in a key
/// is the key's own): <c>/oss/{region}</c>, <c>/oss/{region}/{bucket}</c> or <c>/oss/{region}/{bucket}/{key}</c>, the key percent-decoded
/// as strict UTF-8. A key of <c>""</c> (a trailing slash) means the bucket itself.
/// </summary>
public sealed record ObjectPath(string Region, string Bucket, string? Key)
{
    /// <summary>The region itself (<c>/oss/{region}</c>): no bucket, signed as the resource <c>/</c>.</summary>
    public bool IsRegion => Bucket.Length == 0;

    public const string Prefix = "/oss/";

    /// <summary>The path of a bucket or an object as a client puts it in a URL (key segments percent-encoded, slashes kept).</summary>
    public static string Format(string region, string bucket, string? key = null) =>
        Prefix + Uri.EscapeDataString(region) + "/" + Uri.EscapeDataString(bucket)
        + (key is null ? "" : "/" + string.Join("/", key.Split('/').Select(Uri.EscapeDataString)));

    /// <summary>Null when the target is not under /oss/REGION/BUCKET; an <see cref="OssException"/> for names that are not UTF-8.</summary>
    public static ObjectPath? TryParse(string rawTarget)
    {
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? rawTarget : rawTarget[..query];
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = path[Prefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || slash == rest.Length - 1)
        {
            // /oss/{region} or /oss/{region}/: the region's buckets (ListBuckets).
            var regionText = slash < 0 ? rest : rest[..slash];
            return regionText.Length == 0 ? null : new ObjectPath(Decode(regionText) ?? throw OssErrors.NoSuchBucket(""), "", null);
        }

        if (slash == 0)
        {
            return null;
        }

        var region = Decode(rest[..slash]) ?? throw OssErrors.NoSuchBucket("");
        rest = rest[(slash + 1)..];
        slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucketText = slash < 0 ? rest : rest[..slash];
        var keyText = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucketText.Length == 0)
        {
            return null;
        }

        var bucket = Decode(bucketText) ?? throw new OssException("InvalidBucketName", "The bucket name is not valid UTF-8.", 400);
        var key = keyText.Length == 0 ? null : Decode(keyText) ?? throw new OssException("InvalidObjectName", "The object key is not valid UTF-8.", 400);
        return new ObjectPath(region, bucket, key);
    }

    /// <summary>Percent-decoding to bytes, then strict UTF-8; null when the bytes are not UTF-8.</summary>
    private static string? Decode(string text)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');
}
