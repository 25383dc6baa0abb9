using Imago.Formats;
using Imago.Formats.IO;
using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Store;

/// <summary>
/// The deterministic complement of the kill loop: a workload is run once per backend call, dying at that
/// call (every later call fails too), then the store is reopened as a restarted process would and checked.
/// Every crash point is visited, where random kills only sample them.
/// </summary>
public sealed class CrashPointTests
{
    private static readonly BlockStoreOptions Layout = new() { ChunkSize = 64 * 1024, PageFanout = 4 };

    [Fact]
    public async Task Dying_at_any_backend_call_keeps_every_committed_snapshot_and_no_dangling_reference()
    {
        var total = await RunAsync(failAt: 0, committed: []);
        Assert.True(total > 20, $"the workload made only {total} backend calls");

        for (var failAt = 1; failAt <= total; failAt++)
        {
            using var temp = new TempDirectory();
            var committed = new Dictionary<string, string>();
            await RunAsync(failAt, committed, temp.Path);

            await using var store = await BlockStore.OpenAsync(Path.Combine(temp.Path, "store"), Layout);
            var scrub = await store.ScrubAsync();
            Assert.True(scrub.IsClean, $"crash at call {failAt}: " + string.Join("; ", scrub.Corrupt.Concat(scrub.Missing).Select(p => p.Problem)));
            foreach (var (id, digest) in committed)
            {
                await using var snapshot = await store.OpenSnapshotAsync(id);
                Assert.Equal(digest, Patterns.Digest(await Patterns.ReadAllAsync(snapshot)));
            }

            await store.CollectGarbageAsync();
            Assert.True((await store.ScrubAsync()).IsClean, $"crash at call {failAt}, after GC");
        }
    }

    /// <summary>Runs the workload until it completes or the backend dies; returns the backend calls made.</summary>
    private static async Task<int> RunAsync(int failAt, Dictionary<string, string> committed, string? directory = null)
    {
        using var temp = directory is null ? new TempDirectory() : null;
        FailingBackend? backend = null;
        var options = Layout with { WrapBackend = b => backend = new FailingBackend(b, failAt) };
        var store = await BlockStore.OpenAsync(Path.Combine(directory ?? temp!.Path, "store"), options);
        try
        {
            await WorkloadAsync(store, committed);
        }
        catch (IOException) when (backend!.Dead)
        {
            // The simulated death: the rest of the workload never happens.
        }
        finally
        {
            try
            {
                await store.DisposeAsync();
            }
            catch (IOException) when (backend!.Dead)
            {
            }
        }

        return backend!.Calls;
    }

    private static async Task WorkloadAsync(BlockStore store, Dictionary<string, string> committed)
    {
        await store.CreateVolumeAsync("d-1", 1 << 20);
        var model = new byte[1 << 20];
        var volume = await store.OpenVolumeAsync("d-1");
        await WriteAsync(volume, model, 0, Patterns.Random(600_000, 1));
        await store.SnapshotAsync("d-1", "s-1");
        committed["s-1"] = Patterns.Digest(model);

        var image = Patterns.Random(1 << 20, 2);
        image.AsSpan(0, 1 << 20).Slice(128 * 1024, 128 * 1024).Clear();
        await using (var source = await DiskImages.OpenAsync(new MemoryByteSource(image)))
        {
            await store.ImportAsync(source, "s-2");
        }

        committed["s-2"] = Patterns.Digest(image);

        await WriteAsync(volume, model, 300_000, Patterns.Random(200_000, 3));
        await volume.WriteZeroesAsync(0, 65536);
        Array.Clear(model, 0, 65536);
        await store.SnapshotAsync("d-1", "s-3");
        committed["s-3"] = Patterns.Digest(model);

        await store.CreateVolumeFromSnapshotAsync("s-2", "d-2", 2 << 20);
        await using (var clone = await store.OpenVolumeAsync("d-2"))
        {
            await clone.WriteAsync(1 << 20, Patterns.Random(70_000, 4));
        }

        await store.DeleteSnapshotAsync("s-1");
        committed.Remove("s-1");
        await store.CollectGarbageAsync();
        await volume.DisposeAsync();
    }

    private static async Task WriteAsync(IBlockDevice volume, byte[] model, int offset, byte[] data)
    {
        await volume.WriteAsync(offset, data);
        data.CopyTo(model, offset);
    }
}
