namespace Imago.Formats.IO;

/// <summary>An image held in memory: for tests, the fuzz harnesses and small generated disks.</summary>
public sealed class MemoryByteSource(ReadOnlyMemory<byte> data) : IByteSource
{
    public long Length => data.Length;

    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset));
        }

        if (offset >= data.Length)
        {
            return ValueTask.FromResult(0);
        }

        var n = (int)Math.Min(buffer.Length, data.Length - offset);
        data.Span.Slice((int)offset, n).CopyTo(buffer.Span);
        return ValueTask.FromResult(n);
    }

    public void Dispose()
    {
    }
}
