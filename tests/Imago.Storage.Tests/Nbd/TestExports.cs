using System.Collections.Concurrent;
using Imago.Storage;
using Imago.Storage.Nbd;

namespace Imago.Storage.Tests.Nbd;

/// <summary>An export provider over named in-memory devices; counts opens and closes to check the server's ownership.</summary>
internal sealed class TestExports : INbdExportProvider
{
    private readonly ConcurrentDictionary<string, MemoryBlockDevice> _devices = new();
    private int _open;

    public string? DefaultExportName { get; init; }

    /// <summary>Handles handed out and not yet disposed by the server.</summary>
    public int OpenHandles => Volatile.Read(ref _open);

    public MemoryBlockDevice Add(string name, long size, bool readOnly = false)
    {
        var device = new MemoryBlockDevice(size, readOnly);
        _devices[name] = device;
        return device;
    }

    public string NameOf(MemoryBlockDevice device) => _devices.First(d => ReferenceEquals(d.Value, device)).Key;

    public ValueTask<IReadOnlyList<NbdExportDescription>> ListExportsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<NbdExportDescription>>(
            [.. _devices.Keys.Order(StringComparer.Ordinal).Select(n => new NbdExportDescription(n, "test " + n))]);

    public ValueTask<IBlockDevice?> OpenExportAsync(string name, CancellationToken cancellationToken)
    {
        if (!_devices.TryGetValue(name, out var device))
        {
            return ValueTask.FromResult<IBlockDevice?>(null);
        }

        Interlocked.Increment(ref _open);
        return ValueTask.FromResult<IBlockDevice?>(new Handle(device, this));
    }

    /// <summary>A per-connection view of a shared device: disposing it closes the handle, not the device.</summary>
    private sealed class Handle(MemoryBlockDevice device, TestExports owner) : IBlockDevice
    {
        private int _disposed;

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

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._open);
            }

            return ValueTask.CompletedTask;
        }
    }
}
