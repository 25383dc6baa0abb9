using System.Security.Cryptography;
using System.Text;

namespace Imago.Core.Buckets;

/// <summary>
/// Object keys: arbitrary UTF-8 of 1-1024 bytes with '/' as OSS allows. The directory store never uses a key as a
/// path: a key's file name is the SHA-256 of its UTF-8 bytes (the key itself is kept in the object's header), so
/// '..', absolute paths, very long components and any character stay inside the bucket directory.
/// </summary>
public static class ObjectKeys
{
    public const int MaxBytes = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The key's UTF-8 bytes, or InvalidObjectName.</summary>
    public static byte[] Require(string key)
    {
        if (key.Length == 0)
        {
            throw BucketException.InvalidObjectName(key, "it is empty");
        }

        if (key[0] is '/' or '\\')
        {
            throw BucketException.InvalidObjectName(key, "it starts with '/' or '\\' (as in OSS)");
        }

        if (key.Contains('\0', StringComparison.Ordinal))
        {
            throw BucketException.InvalidObjectName(key, "it contains a NUL character");
        }

        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(key);
        }
        catch (EncoderFallbackException)
        {
            throw BucketException.InvalidObjectName(key, "it is not valid Unicode");
        }

        return bytes.Length > MaxBytes
            ? throw BucketException.InvalidObjectName(key, $"it is {bytes.Length} bytes in UTF-8 (at most {MaxBytes})")
            : bytes;
    }

    /// <summary>The file name of a key: 64 lower-case hex digits, whatever the key.</summary>
    public static string FileName(ReadOnlySpan<byte> keyBytes) => Convert.ToHexStringLower(SHA256.HashData(keyBytes));

    /// <summary>Listing order: OSS lists keys in the byte order of their UTF-8.</summary>
    public static int Compare(string a, string b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));
}
