using System.Collections.Concurrent;

namespace Imago.Formats.Tests.Conversion;

/// <summary>Wraps a disk to record the reads made through it and optionally fail one of them.</summary>
public sealed class RecordingDiskImage(IDiskImage inner, long? failAtOrAfter = null, bool slowAndShuffled = false) : IDiskImage
{
    private int _inFlight;
    private int _maxInFlight;

    public ConcurrentBag<(long Offset, int Length)> Reads { get; } = [];

    /// <summary>The most reads that were running at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public ImageFormat Format => inner.Format;

    public long VirtualSize => inner.VirtualSize;

    public ImageDetails Details => inner.Details;

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Reads.Add((offset, buffer.Length));
        if (failAtOrAfter is { } fail && offset + buffer.Length > fail)
        {
            throw ImageFormatException.Corrupt(Format, "injected failure");
        }

        var now = Interlocked.Increment(ref _inFlight);
        try
        {
            int seen;
            while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
            {
            }

            if (slowAndShuffled)
            {
                // Reads finish out of order: later offsets often complete first.
                await Task.Delay((int)(offset / 4096 % 7) * 2, cancellationToken);
            }

            await inner.ReadAsync(offset, buffer, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public ValueTask<DiskExtent> GetExtentAsync(long offset, long maxLength, CancellationToken cancellationToken = default) =>
        inner.GetExtentAsync(offset, maxLength, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
