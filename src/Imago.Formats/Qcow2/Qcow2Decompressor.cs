using System.Collections.Concurrent;

namespace Imago.Formats.Qcow2;

/// <summary>
/// Decompresses clusters for one open image, keeping a few native decompression states for reuse by
/// concurrent readers. Output is always exactly one cluster into the caller's buffer, so a
/// decompression bomb can never make it allocate more than that.
/// </summary>
internal sealed class Qcow2Decompressor(byte compressionType) : IDisposable
{
    /// <summary>Largest zstd window accepted: 4 MiB, twice the largest cluster, so a frame cannot demand more memory.</summary>
    public const int MaxZstdWindowLog = 22;

    private readonly ConcurrentBag<IDisposable> _states = [];
    private readonly int _maxPooled = Environment.ProcessorCount * 2;
    private bool _disposed;

    public bool Decompress(ReadOnlySpan<byte> source, Span<byte> cluster)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_states.TryTake(out var state))
        {
            state = compressionType == Qcow2Constants.CompressionZstd
                ? new Qcow2ZstdDecoder(MaxZstdWindowLog)
                : new ZlibRawNative.Inflater();
        }

        var ok = state switch
        {
            Qcow2ZstdDecoder zstd => zstd.DecompressExactly(source, cluster),
            ZlibRawNative.Inflater zlib => zlib.Decompress(source, cluster),
            _ => false,
        };

        // A state that failed is dropped rather than trusted again.
        if (ok && !_disposed && _states.Count < _maxPooled)
        {
            _states.Add(state);
        }
        else
        {
            state.Dispose();
        }

        return ok;
    }

    public void Dispose()
    {
        _disposed = true;
        while (_states.TryTake(out var state))
        {
            state.Dispose();
        }
    }
}
