namespace Imago.Storage.Nbd;

/// <summary>
/// Serves a <see cref="BlockStore"/> over NBD: every volume read-write and every snapshot read-only, by id.
/// An id that names both a volume and a snapshot is the volume; <c>volume/ID</c> and <c>snapshot/ID</c> name
/// either explicitly.
/// </summary>
/// <remarks>
/// A volume has a single writer in the store, so connections to the same volume share one open volume: each
/// connection gets its own handle (which the server disposes), and the volume is flushed and closed when the
/// last handle goes. Snapshots are opened per connection (the store allows any number of readers).
/// </remarks>
public sealed class StoreExportProvider(BlockStore store) : INbdExportProvider
{
    private const string VolumePrefix = "volume/";
    private const string SnapshotPrefix = "snapshot/";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SharedVolume> _volumes = new(StringComparer.Ordinal);

    // Volumes whose last handle went and that are still flushing and closing (completes when closed, never faults).
    private readonly Dictionary<string, Task> _closing = new(StringComparer.Ordinal);

    public ValueTask<IReadOnlyList<NbdExportDescription>> ListExportsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<NbdExportDescription>>(
        [
            .. store.ListVolumes().Select(id => new NbdExportDescription(id, "volume (read-write)")),
            .. store.ListSnapshots().Select(id => new NbdExportDescription(
                store.VolumeExists(id) ? SnapshotPrefix + id : id, "snapshot (read-only)")),
        ]);

    public async ValueTask<IBlockDevice?> OpenExportAsync(string name, CancellationToken cancellationToken)
    {
        var (volume, snapshot) = name switch
        {
            _ when name.StartsWith(VolumePrefix, StringComparison.Ordinal) => (name[VolumePrefix.Length..], null),
            _ when name.StartsWith(SnapshotPrefix, StringComparison.Ordinal) => (null, name[SnapshotPrefix.Length..]),
            _ => (name, name),
        };

        if (volume is not null && Metadata.VersionId.IsValid(volume) && store.VolumeExists(volume))
        {
            return await OpenVolumeAsync(volume, cancellationToken).ConfigureAwait(false);
        }

        if (snapshot is not null && Metadata.VersionId.IsValid(snapshot) && store.SnapshotExists(snapshot))
        {
            return await store.OpenSnapshotAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private async ValueTask<IBlockDevice> OpenVolumeAsync(string id, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task? closing;
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_closing.TryGetValue(id, out closing))
                {
                    if (!_volumes.TryGetValue(id, out var shared))
                    {
                        shared = new SharedVolume(await store.OpenVolumeAsync(id, cancellationToken).ConfigureAwait(false));
                        _volumes.Add(id, shared);
                    }

                    shared.Handles++;
                    return new SharedDeviceHandle(shared.Device, () => ReleaseAsync(id));
                }
            }
            finally
            {
                _gate.Release();
            }

            // The store still has it open until its close (flush and commit) ends: opening now would be refused.
            await closing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask ReleaseAsync(string id)
    {
        IBlockDevice? closing = null;
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var shared = _volumes[id];
            if (--shared.Handles == 0)
            {
                _volumes.Remove(id);
                _closing.Add(id, closed.Task);
                closing = shared.Device;
            }
        }
        finally
        {
            _gate.Release();
        }

        if (closing is not null)
        {
            try
            {
                await closing.DisposeAsync().ConfigureAwait(false); // flushes and commits what the clients wrote
            }
            finally
            {
                await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                _closing.Remove(id);
                _gate.Release();
                closed.SetResult();
            }
        }
    }

    private sealed class SharedVolume(IBlockDevice device)
    {
        public IBlockDevice Device { get; } = device;

        public int Handles { get; set; }
    }
}
