namespace Imago.Storage.Nbd;

/// <summary>
/// One connection's view of a device that several connections share: every call goes to the device, and
/// disposing the handle runs <paramref name="release"/> once instead of disposing the device (the NBD server
/// disposes what it opened; the owner decides when the shared device itself closes).
/// </summary>
public sealed class SharedDeviceHandle(IBlockDevice device, Func<ValueTask> release) : IBlockDevice
{
    private int _released;

    public long Size => device.Size;

    public bool IsReadOnly => device.IsReadOnly;

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        device.ReadAsync(offset, buffer, cancellationToken);

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        device.WriteAsync(offset, data, cancellationToken);

    public ValueTask WriteZeroesAsync(long offset, long length, CancellationToken cancellationToken = default) =>
        device.WriteZeroesAsync(offset, length, cancellationToken);

    public ValueTask TrimAsync(long offset, long length, CancellationToken cancellationToken = default) =>
        device.TrimAsync(offset, length, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => device.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _released, 1) == 0 ? release() : ValueTask.CompletedTask;
}
