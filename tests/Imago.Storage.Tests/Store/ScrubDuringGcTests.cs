using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Chunks;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Store;

/// <summary>A scrub running while a collection sweeps (and a volume is deleted) reports no false problem.</summary>
public sealed class ScrubDuringGcTests
{
    private const int Chunk = 64 * 1024;
    private const int Rounds = 6;
    private const int GarbagePerRound = 60;

    [Fact]
    public async Task Scrub_concurrent_with_gc_on_a_store_full_of_garbage_reports_nothing()
    {
        using var temp = new TempDirectory();
        var options = new BlockStoreOptions { ChunkSize = Chunk, PageFanout = 4, WrapBackend = b => new PausingBackend(b, pauseGets: true, pauseDeletes: false) };
        await using var store = await BlockStore.OpenAsync(temp.File("store"), options);
        var kept = Patterns.Random(1 << 20, 7);
        await store.CreateVolumeAsync("d-keep", kept.Length);
        await using (var volume = await store.OpenVolumeAsync("d-keep"))
        {
            await volume.WriteAsync(0, kept);
        }

        await store.SnapshotAsync("d-keep", "s-keep");
        long swept = 0;
        for (var round = 0; round < Rounds; round++)
        {
            // Garbage of two kinds: chunks no record ever named, and a volume deleted while scrub and GC run.
            await StoreUnreferencedAsync(store.Chunks, round);
            var doomed = $"d-{round}";
            await store.CreateVolumeAsync(doomed, 1 << 20);
            await using (var volume = await store.OpenVolumeAsync(doomed))
            {
                await volume.WriteAsync(0, Patterns.Random(1 << 20, 100 + round));
            }

            // Start order varies by round; both operations wait on each other, never report each other's effects.
            var first = round % 2 == 0 ? Task.Run(() => store.ScrubAsync()) : null;
            var collection = Task.Run(() => store.CollectGarbageAsync());
            var deletion = Task.Run(() => store.DeleteVolumeAsync(doomed));
            var scrub = first ?? Task.Run(() => store.ScrubAsync());
            await Task.WhenAll(collection, deletion, scrub);

            var report = await scrub;
            Assert.True(report.IsClean, $"round {round}: " + string.Join("; ", report.Corrupt.Concat(report.Missing).Select(p => p.Problem)));
            swept += (await collection).ChunksDeleted;
        }

        Assert.True(swept >= Rounds * GarbagePerRound, $"{swept} swept");
        await store.CollectGarbageAsync();
        var final = await store.ScrubAsync();
        Assert.True(final.IsClean);
        await using (var snapshot = await store.OpenSnapshotAsync("s-keep"))
        {
            Assert.Equal(kept, await Patterns.ReadAllAsync(snapshot));
        }
    }

    private static async Task StoreUnreferencedAsync(ChunkStore chunks, int round)
    {
        using var pins = chunks.CreatePins();
        for (var i = 0; i < GarbagePerRound; i++)
        {
            await chunks.WriteAsync(Patterns.Random(4096, (round * 10_000) + i + 1), pins);
        }

        await chunks.FlushAsync();
    }
}
