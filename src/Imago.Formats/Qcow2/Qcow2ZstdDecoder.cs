using ZstdSharp.Unsafe;

namespace Imago.Formats.Qcow2;

/// <summary>A zstd decompression context with a bounded window, reused across clusters. Not thread-safe.</summary>
internal sealed unsafe class Qcow2ZstdDecoder : IDisposable
{
    private ZSTD_DCtx_s* _context;

    public Qcow2ZstdDecoder(int maxWindowLog)
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
