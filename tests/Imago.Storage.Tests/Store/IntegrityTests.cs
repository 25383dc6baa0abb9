using Imago.Storage.Chunks;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Store;

public sealed class IntegrityTests
{
    private const int Chunk = 64 * 1024;

    [Fact]
    public async Task Gc_removes_unreferenced_chunks_and_keeps_referenced_ones()
    {
        await using var f = await StoreFixture.CreateAsync(Chunk, fanout: 4);
        await f.Store.CreateVolumeAsync("d-1", 2 << 20);
        var first = Patterns.Random(2 << 20, 1);
        await using (var volume = await f.Store.OpenVolumeAsync("d-1"))
        {
            await volume.WriteAsync(0, first);
            await f.Store.SnapshotAsync("d-1", "s-1");
            await volume.WriteAsync(0, Patterns.Random(2 << 20, 2)); // every block replaced
        }

        var before = (await f.Store.CollectGarbageAsync()).ChunksScanned;
        Assert.Equal(0, (await f.Store.CollectGarbageAsync()).ChunksDeleted); // everything is referenced by d-1 or s-1

        await f.Store.DeleteVolumeAsync("d-1");
        var report = await f.Store.CollectGarbageAsync();
        Assert.True(report.ChunksDeleted >= 32, $"{report.ChunksDeleted} deleted of {before}"); // d-1's 32 data chunks and its pages
        await using (var snapshot = await f.Store.OpenSnapshotAsync("s-1"))
        {
            Assert.Equal(first, await Patterns.ReadAllAsync(snapshot));
        }

        Assert.True((await f.Store.ScrubAsync()).IsClean);
        await f.Store.DeleteSnapshotAsync("s-1");
        await f.Store.CollectGarbageAsync();
        await foreach (var _ in f.Store.Chunks.Backend.EnumerateAsync())
        {
            Assert.Fail("chunks left after every version was deleted");
        }
    }

    [Fact]
    public async Task Scrub_reports_corrupt_and_missing_chunks_by_name()
    {
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("d-1", 1 << 20);
        await using (var volume = await f.Store.OpenVolumeAsync("d-1"))
        {
            await volume.WriteAsync(0, Patterns.Random(1 << 20, 3));
        }

        Assert.True((await f.Store.ScrubAsync()).IsClean);
        var hashes = new List<ChunkHash>();
        await foreach (var hash in f.Store.Chunks.Backend.EnumerateAsync())
        {
            if (new FileInfo(f.ChunkPath(hash)).Length == Chunk)
            {
                hashes.Add(hash); // data chunks (the one page is shorter)
            }
        }

        var damaged = hashes[0];
        var bytes = await File.ReadAllBytesAsync(f.ChunkPath(damaged));
        bytes[^1] ^= 1;
        await File.WriteAllBytesAsync(f.ChunkPath(damaged), bytes);
        File.Delete(f.ChunkPath(hashes[1]));

        var report = await f.Store.ScrubAsync();
        Assert.Equal(damaged, Assert.Single(report.Corrupt).Hash);
        var missing = Assert.Single(report.Missing);
        Assert.Equal(hashes[1], missing.Hash);
        Assert.Contains("volume 'd-1'", missing.Problem);

        await using var reopened = await f.Store.OpenVolumeAsync("d-1");
        var e = await Assert.ThrowsAsync<ChunkCorruptException>(() => Patterns.ReadAllAsync(reopened));
        Assert.True(e.Hash == damaged || e.Hash == hashes[1]);
    }

    [Fact]
    public async Task Gc_never_sweeps_while_marking_fails()
    {
        await using var f = await StoreFixture.CreateAsync(Chunk, fanout: 4);
        await f.Store.CreateVolumeAsync("d-1", 1 << 20);
        await using (var volume = await f.Store.OpenVolumeAsync("d-1"))
        {
            await volume.WriteAsync(0, Patterns.Random(1 << 20, 4));
        }

        await f.Store.CreateVolumeAsync("d-2", 1 << 20);
        await using (var volume = await f.Store.OpenVolumeAsync("d-2"))
        {
            await volume.WriteAsync(0, Patterns.Random(1 << 20, 5));
        }

        await f.Store.DeleteVolumeAsync("d-2"); // garbage that must survive a failed collection
        var record = await File.ReadAllTextAsync(Path.Combine(f.Path, "volumes", "d-1.json"));
        var root = ChunkHash.Parse(System.Text.Json.JsonDocument.Parse(record).RootElement.GetProperty("root").GetString()!);
        File.Delete(f.ChunkPath(root));
        var countBefore = await CountAsync(f);

        await Assert.ThrowsAsync<ChunkCorruptException>(() => f.Store.CollectGarbageAsync());
        Assert.Equal(countBefore, await CountAsync(f));
    }

    [Fact]
    public async Task Gc_running_during_writes_keeps_everything_they_reference()
    {
        await using var f = await StoreFixture.CreateAsync(Chunk, fanout: 8);
        await f.Store.CreateVolumeAsync("d-1", 4 << 20);
        var model = new byte[4 << 20];
        await using var volume = await f.Store.OpenVolumeAsync("d-1");
        using var stop = new CancellationTokenSource();
        var collections = 0;
        var collector = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await f.Store.CollectGarbageAsync();
                collections++;
            }
        });

        var random = new Random(11);
        var garbage = Patterns.Random(Chunk, 12345);
        for (var i = 0; i < 120; i++)
        {
            var block = random.Next(64);
            // Alternate fresh data with a block that keeps becoming garbage and being re-used (the dedupe race).
            var data = i % 3 == 0 ? garbage : Patterns.Random(Chunk, i);
            await volume.WriteAsync((long)block * Chunk, data);
            data.CopyTo(model, block * Chunk);
            if (i % 4 == 0)
            {
                await volume.FlushAsync();
            }

            if (i % 10 == 0)
            {
                await f.Store.SnapshotAsync("d-1", $"s-{i}");
                if (i >= 20)
                {
                    await f.Store.DeleteSnapshotAsync($"s-{i - 20}");
                }
            }
        }

        await volume.FlushAsync();
        await stop.CancelAsync();
        await collector;
        Assert.True(collections > 0);

        await f.Store.CollectGarbageAsync();
        var scrub = await f.Store.ScrubAsync();
        Assert.True(scrub.IsClean, string.Join("; ", scrub.Missing.Concat(scrub.Corrupt).Select(p => p.Problem)));
        Assert.Equal(model, await Patterns.ReadAllAsync(volume));
    }

    private static async Task<int> CountAsync(StoreFixture f)
    {
        var count = 0;
        await foreach (var _ in f.Store.Chunks.Backend.EnumerateAsync())
        {
            count++;
        }

        return count;
    }
}
