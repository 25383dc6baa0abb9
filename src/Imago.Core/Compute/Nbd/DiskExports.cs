using Imago.Core.Storage;
using Imago.Data;
using Imago.Storage;
using Imago.Storage.Metadata;
using Imago.Storage.Nbd;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Compute.Nbd;

/// <summary>
/// The NBD exports of the service: every existing disk, read-write, by its DiskId, in whichever region's store
/// holds it. Nothing else (no snapshot, no image, no volume without a disk row) is reachable.
/// </summary>
/// <remarks>
/// A volume has a single writer in the store, so all connections to one disk share one open volume; each
/// connection gets its own handle, and the volume is flushed and closed when the last handle goes.
/// Opening looks the disk up in the database and opens its volume under one gate, and <see cref="CloseAsync"/>
/// takes the same gate: a disk whose row was deleted can no longer be opened, and closing it ends every
/// connection's access (their later requests fail with EIO) and flushes the volume, so the volume can then be
/// deleted. The export list is empty on purpose: disk ids are unguessable, and NBD has no authentication, so the
/// server does not hand them out to anyone who connects.
/// </remarks>
public sealed class DiskExports(ImagoDatabase database, RegionStores stores) : INbdExportProvider, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SharedVolume> _open = new(StringComparer.Ordinal);

    public ValueTask<IReadOnlyList<NbdExportDescription>> ListExportsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<NbdExportDescription>>([]);

    public async ValueTask<IBlockDevice?> OpenExportAsync(string name, CancellationToken cancellationToken)
    {
        if (!name.StartsWith("d-", StringComparison.Ordinal) || !VersionId.IsValid(name))
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_open.TryGetValue(name, out var shared))
            {
                string? regionId;
                await using (var db = database.CreateContext())
                {
                    regionId = await db.Disks.AsNoTracking().Where(d => d.Id == name).Select(d => d.RegionId)
                        .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
                }

                if (regionId is null || !stores.All.TryGetValue(regionId, out var store) || !store.VolumeExists(name))
                {
                    return null;
                }

                shared = new SharedVolume(await store.OpenVolumeAsync(name, cancellationToken).ConfigureAwait(false));
                _open.Add(name, shared);
            }

            shared.Handles++;
            return new SharedDeviceHandle(shared.Device, () => ReleaseAsync(name, shared));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>True while at least one connection has the disk open.</summary>
    public async Task<bool> IsOpenAsync(string diskId, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _open.ContainsKey(diskId);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Cuts every connection off the disk and closes its volume (pending writes are committed first). Call it after
    /// the disk's row is deleted and before its volume is: a connection may be open to it until then.
    /// </summary>
    public async Task CloseAsync(string diskId)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_open.Remove(diskId, out var shared))
            {
                shared.Closed = true;
                await shared.Device.DisposeAsync().ConfigureAwait(false); // waits for requests in flight
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var diskId in await OpenDiskIdsAsync().ConfigureAwait(false))
        {
            await CloseAsync(diskId).ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private async Task<string[]> OpenDiskIdsAsync()
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            return [.. _open.Keys];
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask ReleaseAsync(string diskId, SharedVolume shared)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            // A volume closed by CloseAsync is gone already; its stale handles only fall away.
            if (!shared.Closed && --shared.Handles == 0)
            {
                _open.Remove(diskId);
                shared.Closed = true;
                await shared.Device.DisposeAsync().ConfigureAwait(false); // flushes and commits what the clients wrote
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed class SharedVolume(IBlockDevice device)
    {
        public IBlockDevice Device { get; } = device;

        public int Handles { get; set; }

        public bool Closed { get; set; }
    }
}
