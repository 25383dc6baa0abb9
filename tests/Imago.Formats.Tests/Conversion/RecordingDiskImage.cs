using System.Collections.Concurrent;

namespace Imago.Formats.Tests.Conversion;

/// <summary>Wraps a disk to record the reads made through it and optionally fail one of them.</summary>
public sealed class RecordingDiskImage(IDiskImage inner, long? failAtOrAfter = null) : IDiskImage
{
    public ConcurrentBag<(long Offset, int Length)> Reads { get; } = [];

    public ImageFormat Format => inner.Format;

    public long VirtualSize => inner.VirtualSize;

    public ImageDetails Details => inner.Details;

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Reads.Add((offset, buffer.Length));
        if (failAtOrAfter is { } fail && offset + buffer.Length > fail)
        {
            throw ImageFormatException.Corrupt(Format, "injected failure");
        }

        return inner.ReadAsync(offset, buffer, cancellationToken);
    }

    public ValueTask<DiskExtent> GetExtentAsync(long offset, long maxLength, CancellationToken cancellationToken = default) =>
        inner.GetExtentAsync(offset, maxLength, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
