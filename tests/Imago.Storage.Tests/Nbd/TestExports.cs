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
        return ValueTask.FromResult<IBlockDevice?>(new SharedDeviceHandle(device, () =>
        {
            Interlocked.Decrement(ref _open);
            return ValueTask.CompletedTask;
        }));
    }
}
