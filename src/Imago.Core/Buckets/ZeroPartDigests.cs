using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Imago.Core.Buckets;

/// <summary>
/// The MD5 of a run of zeros, per length, computed once per store: a disk image is mostly holes, and every hole of a
/// whole part then costs a lookup instead of hashing its zeros.
/// </summary>
internal sealed class ZeroPartDigests
{
    private const int MaxLengths = 64; // parts have one size per object size; bounded whatever puts arrive
    private readonly ConcurrentDictionary<long, byte[]> _digests = new();

    public byte[] Md5(long length)
    {
        if (_digests.TryGetValue(length, out var known))
        {
            return known;
        }

        var digest = Compute(length);
        if (_digests.Count < MaxLengths)
        {
            _digests.TryAdd(length, digest);
        }

        return digest;
    }

    private static byte[] Compute(long length)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var zeros = new byte[(int)Math.Min(length, 1 << 20)];
        for (var left = length; left > 0; left -= zeros.Length)
        {
            md5.AppendData(zeros, 0, (int)Math.Min(left, zeros.Length));
        }

        return md5.GetHashAndReset();
    }
}
