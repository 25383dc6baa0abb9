using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Review;

public sealed class SnapshotWhileClosingTests
{
    [Fact]
    public async Task Snapshot_of_a_volume_whose_close_is_committing_waits_and_includes_the_closed_writes()
    {
        // The API snapshots a volume just as its last NBD client disconnects: the close is committing when the
        // snapshot asks the open volume to commit. The snapshot must wait for that and take the committed state,
        // not fail with an ObjectDisposedException from the volume that has just closed.
        await using var a = await ArmableStore.CreateAsync();
        await a.Store.CreateVolumeAsync("d-1", 1 << 20);
        var data = Patterns.Random(64 * 1024, 3);
        var volume = await a.Store.OpenVolumeAsync("d-1");
        await volume.WriteAsync(0, data);

        var flushHeld = a.Backend.HoldFlushes();
        var closing = volume.DisposeAsync().AsTask();
        await flushHeld;
        var snapshot = a.Store.SnapshotAsync("d-1", "s-1");
        a.Backend.OpenFlushGate();
        await closing;
        await snapshot;

        await using var check = await a.Store.OpenSnapshotAsync("s-1");
        var read = new byte[data.Length];
        await check.ReadAsync(0, read);
        Assert.Equal(data, read);
    }
}
