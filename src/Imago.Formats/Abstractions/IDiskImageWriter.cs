namespace Imago.Formats;

/// <summary>
/// Writes a new disk image in one pass. Callers hand it the virtual disk's data in increasing
/// offset order; anything never written reads back as zeros and costs no space.
/// </summary>
public interface IDiskImageWriter : IAsyncDisposable
{
    ImageFormat Format { get; }

    long VirtualSize { get; }

    /// <summary>
    /// The allocation unit (qcow2 cluster, VHD block, raw: 4 KiB). Writes aligned to it avoid
    /// buffering partial units; the converter reads in multiples of it.
    /// </summary>
    int Granularity { get; }

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>. Offsets must increase and ranges
    /// must not overlap earlier writes. All-zero units inside <paramref name="data"/> are not stored.
    /// </summary>
    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Writes the remaining metadata and flushes everything to stable storage.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken = default);
}
