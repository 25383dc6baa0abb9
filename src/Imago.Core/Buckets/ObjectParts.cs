using System.Security.Cryptography;

namespace Imago.Core.Buckets;

/// <summary>
/// How an object stored in parts is cut and what its ETag is. OSS (like S3) gives an object completed from a
/// multipart upload the ETag <c>MD5(MD5(part 1) ‖ … ‖ MD5(part N))-N</c> in upper-case hex; an object of one part
/// keeps its content's MD5, the ETag of a simple upload. Parts are at least <see cref="MinPartSize"/> and there are
/// at most <see cref="MaxParts"/> (the limit of a multipart upload), aligned to 64 KiB so that every part starts on
/// a sparse block of the store. Small parts are what make exports fast: a part that is all zeros is not hashed
/// (<see cref="ZeroPartDigests"/>), and a disk's data is scattered in runs of a few MiB among its zeros.
/// </summary>
public static class ObjectParts
{
    public const long MinPartSize = 1L << 20;
    public const int MaxParts = 10_000;
    private const long Alignment = 64 << 10;

    /// <summary>The part size for an object of <paramref name="size"/> bytes.</summary>
    public static long PartSize(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var needed = (size + MaxParts - 1) / MaxParts;
        return Math.Max(MinPartSize, (needed + Alignment - 1) / Alignment * Alignment);
    }

    /// <summary>How many parts an object of <paramref name="size"/> bytes has (an empty object has one, empty).</summary>
    public static int Count(long size) => size == 0 ? 1 : checked((int)((size + PartSize(size) - 1) / PartSize(size)));

    /// <summary>The digest in an object's ETag: the only part's MD5, or the MD5 of every part's MD5 in order.</summary>
    public static byte[] CombinedMd5(IReadOnlyList<byte[]> partMd5s)
    {
        ArgumentOutOfRangeException.ThrowIfZero(partMd5s.Count);
        if (partMd5s.Count == 1)
        {
            return partMd5s[0];
        }

        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        foreach (var part in partMd5s)
        {
            md5.AppendData(part);
        }

        return md5.GetHashAndReset();
    }

    /// <summary>The ETag of an object of <paramref name="parts"/> parts whose combined digest is <paramref name="md5"/> (see <see cref="CombinedMd5"/>).</summary>
    public static string ETag(ReadOnlySpan<byte> md5, int parts) =>
        parts > 1 ? $"{Convert.ToHexString(md5)}-{parts}" : Convert.ToHexString(md5);
}
