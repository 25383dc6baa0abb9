using System.Runtime.InteropServices;

namespace Imago.Formats.Qcow2;

/// <summary>
/// Raw deflate with a 4 KiB window (zlib windowBits -12), which is what qemu's qcow2 driver uses for
/// compressed clusters: qemu inflates with windowBits -12, so data compressed with the 32 KiB window of
/// <see cref="System.IO.Compression.DeflateStream"/> could refer further back than qemu can follow.
/// .NET does not expose windowBits, so this calls the zlib(-ng) that ships inside the .NET runtime
/// (libSystem.IO.Compression.Native, the library DeflateStream itself uses).
/// </summary>
internal static unsafe partial class ZlibRawNative
{
    private const string Library = "libSystem.IO.Compression.Native";
    private const int Ok = 0;
    private const int StreamEnd = 1;
    private const int BufError = -5;
    private const int Finish = 4;
    private const int Deflated = 8;
    private const int DefaultLevel = -1;
    private const int DefaultMemLevel = 8;
    private const int DefaultStrategy = 0;

    /// <summary>qemu's window: 2^12 bytes, negative for raw deflate without a zlib header.</summary>
    public const int QemuWindowBits = -12;

    [StructLayout(LayoutKind.Sequential)]
    private struct PalZStream
    {
        public byte* NextIn;
        public byte* NextOut;
        public sbyte* Message;
        public void* InternalState;
        public uint AvailIn;
        public uint AvailOut;
    }

    [LibraryImport(Library, EntryPoint = "CompressionNative_DeflateInit2_")]
    private static partial int DeflateInit2(PalZStream* stream, int level, int method, int windowBits, int memLevel, int strategy);

    [LibraryImport(Library, EntryPoint = "CompressionNative_Deflate")]
    private static partial int Deflate(PalZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "CompressionNative_DeflateEnd")]
    private static partial int DeflateEnd(PalZStream* stream);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateInit2_")]
    private static partial int InflateInit2(PalZStream* stream, int windowBits);

    [LibraryImport(Library, EntryPoint = "CompressionNative_Inflate")]
    private static partial int Inflate(PalZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateEnd")]
    private static partial int InflateEnd(PalZStream* stream);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateReset2_")]
    private static partial int InflateReset2(PalZStream* stream, int windowBits);

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="destination"/>; returns the compressed
    /// length, or -1 when it does not fit (the caller then stores the data uncompressed, as qemu does).
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        PalZStream stream = default;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            if (DeflateInit2(&stream, DefaultLevel, Deflated, QemuWindowBits, DefaultMemLevel, DefaultStrategy) != Ok)
            {
                throw new InvalidOperationException("zlib deflateInit2 failed");
            }

            try
            {
                stream.NextIn = src;
                stream.AvailIn = (uint)source.Length;
                stream.NextOut = dst;
                stream.AvailOut = (uint)destination.Length;
                var ret = Deflate(&stream, Finish);
                return ret == StreamEnd ? destination.Length - (int)stream.AvailOut : -1;
            }
            finally
            {
                DeflateEnd(&stream);
            }
        }
    }

    /// <summary>
    /// A zlib inflate state in native memory (zlib keeps pointers to it), reset between clusters because
    /// reads decompress one cluster at a time. Not thread-safe: one user at a time.
    /// </summary>
    internal sealed class Inflater : IDisposable
    {
        private PalZStream* _stream;
        private bool _used;

        public Inflater()
        {
            _stream = (PalZStream*)NativeMemory.AllocZeroed((nuint)sizeof(PalZStream));
            if (InflateInit2(_stream, QemuWindowBits) != Ok)
            {
                NativeMemory.Free(_stream);
                _stream = null;
                throw new InvalidOperationException("zlib inflateInit2 failed");
            }
        }

        /// <summary>
        /// Inflates until <paramref name="destination"/> is full, as qemu does (trailing input is ignored).
        /// Returns false when the data is not valid deflate or ends before the destination is full.
        /// </summary>
        public bool Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            if (_used && InflateReset2(_stream, QemuWindowBits) != Ok)
            {
                return false;
            }

            _used = true;
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                _stream->NextIn = src;
                _stream->AvailIn = (uint)source.Length;
                _stream->NextOut = dst;
                _stream->AvailOut = (uint)destination.Length;
                var ret = Inflate(_stream, Finish);
                var full = _stream->AvailOut == 0;
                _stream->NextIn = null;
                _stream->NextOut = null;
                return ret is StreamEnd or BufError or Ok && full;
            }
        }

        public void Dispose()
        {
            if (_stream != null)
            {
                InflateEnd(_stream);
                NativeMemory.Free(_stream);
                _stream = null;
            }
        }
    }
}
