namespace Imago.Storage;

/// <summary>
/// A virtual disk that can be read and (unless read-only) written at byte offsets: what the NBD server
/// exports. Volumes implement it read-write, snapshots read-only. Implementations are safe for concurrent
/// calls; writes to overlapping ranges that run concurrently land in some order, as on a real disk.
/// </summary>
public interface IBlockDevice : IAsyncDisposable
{
    /// <summary>Size in bytes.</summary>
    long Size { get; }

    bool IsReadOnly { get; }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; the range lies inside <see cref="Size"/>.</summary>
    ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);

    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Makes the range read as zeros (without storing zero data).</summary>
    ValueTask WriteZeroesAsync(long offset, long length, CancellationToken cancellationToken = default);

    /// <summary>The client no longer needs the range; it may read back as zeros afterwards.</summary>
    ValueTask TrimAsync(long offset, long length, CancellationToken cancellationToken = default);

    /// <summary>Everything written before this call is durable when it completes.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The run at <paramref name="offset"/> (at most <paramref name="maxLength"/> bytes, inside <see cref="Size"/>) that
    /// is all zeros or all data: its length, and whether it surely reads as zeros. Lets a reader skip what was never
    /// written (an export hashes no zeros it can name). A device that cannot tell answers the whole range as data.
    /// </summary>
    ValueTask<(long Length, bool Zero)> GetRunAsync(long offset, long maxLength, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult((maxLength, false));
}
