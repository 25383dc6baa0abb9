using System.Security.Cryptography;

namespace Imago.Storage.Tests.Infrastructure;

/// <summary>Test data: deterministic pseudo-random bytes and whole-device reads.</summary>
public static class Patterns
{
    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<byte[]> ReadAllAsync(IBlockDevice device)
    {
        var bytes = new byte[device.Size];
        await device.ReadAsync(0, bytes);
        return bytes;
    }

    public static string Digest(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
