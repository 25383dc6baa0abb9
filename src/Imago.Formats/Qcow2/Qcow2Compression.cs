using ZstdSharp;

namespace Imago.Formats.Qcow2;

/// <summary>Compression of one cluster as qemu's qcow2 driver does it (raw deflate with a 4 KiB window, or zstd).</summary>
internal static class Qcow2Compression
{
    /// <summary>
    /// Compresses one cluster; returns the length, or -1 when the result would not fit in
    /// <paramref name="destination"/> (the caller then stores the cluster as is, as qemu does).
    /// </summary>
    public static int Compress(byte compressionType, ReadOnlySpan<byte> cluster, Span<byte> destination, Compressor? zstd)
    {
        if (compressionType != Qcow2Constants.CompressionZstd)
        {
            return ZlibRawNative.Compress(cluster, destination);
        }

        return zstd!.TryWrap(cluster, destination, out var written) ? written : -1;
    }
}
