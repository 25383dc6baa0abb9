using System.Collections.Concurrent;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Imago.Formats.Qcow2;

/// <summary>
/// Compressed-cluster codecs as qemu's qcow2 driver uses them: raw deflate with a 4 KiB window, or
/// zstd (a stream of zstd frames). Decompression always produces exactly one cluster into a caller
/// buffer, so a decompression bomb can never make it allocate more than that.
/// </summary>
internal static unsafe class Qcow2Compression
{
    /// <summary>Largest zstd window accepted: 4 MiB, twice the largest cluster, so a frame cannot demand more memory.</summary>
    private const int MaxZstdWindowLog = 22;

    private static readonly ConcurrentBag<ZstdDecoder> Decoders = new();

    public static bool Decompress(byte compressionType, ReadOnlySpan<byte> source, Span<byte> cluster) =>
        compressionType == Qcow2Constants.CompressionZstd ? DecompressZstd(source, cluster) : ZlibRawNative.Decompress(source, cluster);

    /// <summary>Compresses one cluster; returns the length, or -1 when the result would not be smaller than <paramref name="destination"/>.</summary>
    public static int Compress(byte compressionType, ReadOnlySpan<byte> cluster, Span<byte> destination, Compressor? zstd)
    {
        if (compressionType != Qcow2Constants.CompressionZstd)
        {
            return ZlibRawNative.Compress(cluster, destination);
        }

        return zstd!.TryWrap(cluster, destination, out var written) ? written : -1;
    }

    private static bool DecompressZstd(ReadOnlySpan<byte> source, Span<byte> cluster)
    {
        if (!Decoders.TryTake(out var decoder))
        {
            decoder = new ZstdDecoder(MaxZstdWindowLog);
        }

        var ok = decoder.DecompressExactly(source, cluster);
        if (Decoders.Count < Environment.ProcessorCount * 2)
        {
            Decoders.Add(decoder);
        }
        else
        {
            decoder.Dispose();
        }

        return ok;
    }

    /// <summary>A zstd decompression context with a bounded window, reused across clusters.</summary>
    private sealed class ZstdDecoder : IDisposable
    {
        private ZSTD_DCtx_s* _context;

        public ZstdDecoder(int maxWindowLog)
        {
            _context = Methods.ZSTD_createDCtx();
            if (_context == null)
            {
                throw new InvalidOperationException("cannot create a zstd decompression context");
            }

            Methods.ZSTD_DCtx_setParameter(_context, ZSTD_dParameter.ZSTD_d_windowLogMax, maxWindowLog);
        }

        /// <summary>
        /// Decompresses frames from <paramref name="source"/> until <paramref name="destination"/> is full,
        /// as qemu does: fails on a zstd error, on no progress, or when the last frame is not complete.
        /// </summary>
        public bool DecompressExactly(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            Methods.ZSTD_DCtx_reset(_context, ZSTD_ResetDirective.ZSTD_reset_session_only);
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                var input = new ZSTD_inBuffer_s { src = src, size = (nuint)source.Length, pos = 0 };
                var output = new ZSTD_outBuffer_s { dst = dst, size = (nuint)destination.Length, pos = 0 };
                nuint ret = 0;
                while (output.pos < output.size)
                {
                    var lastIn = input.pos;
                    var lastOut = output.pos;
                    ret = Methods.ZSTD_decompressStream(_context, &output, &input);
                    if (Methods.ZSTD_isError(ret))
                    {
                        return false;
                    }

                    if (input.pos <= lastIn && output.pos <= lastOut)
                    {
                        return false;
                    }
                }

                // A non-zero hint means the frame is not finished: qemu counts that as corruption.
                return ret == 0;
            }
        }

        public void Dispose()
        {
            if (_context != null)
            {
                Methods.ZSTD_freeDCtx(_context);
                _context = null;
            }
        }
    }
}
