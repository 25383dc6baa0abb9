using Imago.Storage;

namespace Imago.Storage.Tests.Nbd;

/// <summary>
/// A thread-safe in-memory <see cref="IBlockDevice"/> for NBD tests: it records which operations reached it so
/// tests can tell a WRITE_ZEROES or TRIM from a plain write of zeros.
/// </summary>
internal sealed class MemoryBlockDevice(long size, bool readOnly = false) : IBlockDevice
{
    private readonly byte[] _data = new byte[size];
    private readonly Lock _gate = new();
    private int _writes;
    private int _writeZeroes;
    private int _trims;
    private int _flushes;

    public long Size => _data.Length;

    public bool IsReadOnly => readOnly;

    public int Writes => Volatile.Read(ref _writes);

    public int WriteZeroesCalls => Volatile.Read(ref _writeZeroes);

    public int Trims => Volatile.Read(ref _trims);

    public int Flushes => Volatile.Read(ref _flushes);

    /// <summary>When set, every read and write fails, as a broken disk would.</summary>
    public bool Failing { get; set; }

    /// <summary>A copy of the whole content, for comparisons.</summary>
    public byte[] Snapshot()
    {
        lock (_gate)
        {
            return (byte[])_data.Clone();
        }
    }

    /// <summary>Test setup: fills the device regardless of <see cref="IsReadOnly"/>.</summary>
    public void Fill(long offset, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            data.CopyTo(_data.AsSpan((int)offset));
        }
    }

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        lock (_gate)
        {
            _data.AsSpan(Checked(offset, buffer.Length), buffer.Length).CopyTo(buffer.Span);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        ThrowIfReadOnly();
        lock (_gate)
        {
            data.Span.CopyTo(_data.AsSpan(Checked(offset, data.Length)));
        }

        Interlocked.Increment(ref _writes);
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteZeroesAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly();
        Clear(offset, length);
        Interlocked.Increment(ref _writeZeroes);
        return ValueTask.CompletedTask;
    }

    public ValueTask TrimAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly();
        Clear(offset, length);
        Interlocked.Increment(ref _trims);
        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _flushes);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Clear(long offset, long length)
    {
        lock (_gate)
        {
            _data.AsSpan(Checked(offset, length), (int)length).Clear();
        }
    }

    /// <summary>The server must never pass an out-of-range request on: fail loudly if it does.</summary>
    private int Checked(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset + length > _data.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, +{length}) outside {_data.Length}");
        }

        return (int)offset;
    }

    private void ThrowIfReadOnly()
    {
        if (readOnly)
        {
            throw new InvalidOperationException("the server wrote to a read-only device");
        }
    }

    private void ThrowIfFailing()
    {
        if (Failing)
        {
            throw new IOException("simulated device failure");
        }
    }
}
