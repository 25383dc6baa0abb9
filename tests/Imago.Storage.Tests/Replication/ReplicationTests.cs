using Imago.Storage.Chunks;
using Imago.Storage.Replication;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Replication;

public sealed class ReplicationTests
{
    private const int Chunk = 64 * 1024;
    private const int DiskSize = 32 << 20; // 512 blocks

    [Fact]
    public async Task Second_copy_sends_only_the_changed_chunks_and_reads_back_identical()
    {
        await using var a = await StoreFixture.CreateAsync(Chunk);
        await using var b = await StoreFixture.CreateAsync(Chunk);
        await WriteVolumeAsync(a.Store, "vol", DiskSize, seed: 1);
        await a.Store.SnapshotAsync("vol", "base");

        var first = await SnapshotReplicator.ReplicateAsync(a.Store, "base", b.Store);
        Assert.InRange(first.BytesSent, DiskSize, DiskSize + Chunk); // every data chunk plus one page
        Assert.Equal(0, first.ChunksSkipped);

        // A clone with 1% of its blocks rewritten, snapshotted: only those blocks and the page that names them are new.
        await a.Store.CreateVolumeFromSnapshotAsync("base", "clone");
        var changedBlocks = DiskSize / Chunk / 100;
        await using (var clone = await a.Store.OpenVolumeAsync("clone"))
        {
            for (var i = 0; i < changedBlocks; i++)
            {
                await clone.WriteAsync((long)(i * 97 % (DiskSize / Chunk)) * Chunk + 100, Patterns.Random(4096, 1000 + i));
            }
        }

        await a.Store.SnapshotAsync("clone", "next");
        var progress = new List<ReplicationProgress>();
        var second = await SnapshotReplicator.ReplicateAsync(a.Store, "next", b.Store, new SyncProgress(progress.Add));

        Assert.Equal(changedBlocks + 1, second.ChunksSent); // the rewritten blocks and the one page
        Assert.True(second.BytesSent <= DiskSize / 50, $"sent {second.BytesSent} bytes of a {DiskSize}-byte disk");
        Assert.Equal(DiskSize / Chunk - changedBlocks, second.ChunksSkipped);
        Assert.Equal(second.BytesSent, progress[^1].BytesSent);
        await AssertFaithfulReplicaAsync(a.Store, b.Store, "next", "base");
    }

    [Fact]
    public async Task Interrupted_copy_resumes_after_a_restart_without_sending_any_chunk_twice()
    {
        await using var a = await StoreFixture.CreateAsync(Chunk);
        await using var b = await StoreFixture.CreateAsync(Chunk);
        await WriteVolumeAsync(a.Store, "vol", DiskSize, seed: 2);
        await a.Store.SnapshotAsync("vol", "s");
        var arrivals = new List<ChunkHash>();

        foreach (var failAfter in new[] { 100, 300 })
        {
            var broken = new ScriptedTransport(new LocalChunkTransport(b.Store), arrivals) { FailAfterPuts = failAfter };
            await using (broken)
            {
                await Assert.ThrowsAsync<IOException>(() => SnapshotReplicator.ReplicateAsync(a.Store, "s", broken));
            }

            // Never a half-copied snapshot, even seen from a restarted destination.
            await b.ReopenAsync();
            Assert.False(b.Store.SnapshotExists("s"));
            Assert.Empty(b.Store.ListSnapshots());
        }

        Assert.Equal(400, arrivals.Count); // the second attempt skipped the first's 100 and sent 300 more
        await using (var transport = new ScriptedTransport(new LocalChunkTransport(b.Store), arrivals))
        {
            var result = await SnapshotReplicator.ReplicateAsync(a.Store, "s", transport);
            Assert.Equal(400, result.ChunksSkipped);
            Assert.Equal(DiskSize / Chunk + 1 - 400, result.ChunksSent);
        }

        Assert.Equal(arrivals.Count, arrivals.Distinct().Count());
        Assert.Equal(DiskSize / Chunk + 1, arrivals.Count);
        await AssertFaithfulReplicaAsync(a.Store, b.Store, "s");

        var again = await SnapshotReplicator.ReplicateAsync(a.Store, "s", b.Store);
        Assert.True(again.AlreadyPresent);
    }

    [Fact]
    public async Task Garbage_collection_on_the_destination_during_a_copy_keeps_what_arrived()
    {
        await using var a = await StoreFixture.CreateAsync(Chunk);
        await using var b = await StoreFixture.CreateAsync(Chunk);
        await WriteVolumeAsync(a.Store, "vol", DiskSize / 4, seed: 3);
        await a.Store.SnapshotAsync("vol", "s");
        var reports = new List<Integrity.GcReport>();
        var transport = new ScriptedTransport(new LocalChunkTransport(b.Store), [])
        {
            BeforePut = async n =>
            {
                if (n is 20 or 60 or 100)
                {
                    reports.Add(await b.Store.CollectGarbageAsync());
                }
            },
        };
        await using (transport)
        {
            await SnapshotReplicator.ReplicateAsync(a.Store, "s", transport);
        }

        Assert.Equal(3, reports.Count);
        Assert.All(reports, r => Assert.Equal(0, r.ChunksDeleted));
        // What a collection sees is what the destination has published so far: whole batches of received chunks.
        Assert.Equal([20L, 60L, 100L], reports.Select(r => r.ChunksScanned).Select(
            (scanned, i) => scanned + ((long[])[20, 60, 100])[i] % LocalChunkTransport.PublishEvery));
        await AssertFaithfulReplicaAsync(a.Store, b.Store, "s");
    }

    [Fact]
    public async Task Garbage_collection_after_an_interrupted_copy_reclaims_the_orphans_and_the_retry_still_completes()
    {
        await using var a = await StoreFixture.CreateAsync(Chunk);
        await using var b = await StoreFixture.CreateAsync(Chunk);
        await WriteVolumeAsync(a.Store, "vol", DiskSize / 4, seed: 4);
        await a.Store.SnapshotAsync("vol", "s");
        var broken = new ScriptedTransport(new LocalChunkTransport(b.Store), []) { FailAfterPuts = 50 };
        await using (broken)
        {
            await Assert.ThrowsAsync<IOException>(() => SnapshotReplicator.ReplicateAsync(a.Store, "s", broken));
        }

        var gc = await b.Store.CollectGarbageAsync();
        Assert.Equal(50, gc.ChunksDeleted); // nothing names them: no snapshot was recorded
        Assert.Empty(b.Store.ListSnapshots());

        var result = await SnapshotReplicator.ReplicateAsync(a.Store, "s", b.Store);
        Assert.Equal(DiskSize / 4 / Chunk + 1, result.ChunksSent);
        await AssertFaithfulReplicaAsync(a.Store, b.Store, "s");
        Assert.Equal(0, (await b.Store.CollectGarbageAsync()).ChunksDeleted);
    }

    [Fact]
    public async Task Sparse_and_multi_level_snapshots_replicate_exactly()
    {
        await using var a = await StoreFixture.CreateAsync(4096, fanout: 4);
        await using var b = await StoreFixture.CreateAsync(4096, fanout: 4);
        await a.Store.CreateVolumeAsync("vol", 1 << 20);
        await using (var volume = await a.Store.OpenVolumeAsync("vol"))
        {
            await volume.WriteAsync(5000, Patterns.Random(70_000, 5));
            await volume.WriteAsync(900_000, Patterns.Random(4096, 6));
            await volume.WriteAsync(300_000, new byte[8192]); // zeros: never stored, never sent
            await volume.WriteAsync(500_000, Patterns.Random(4096, 6)); // a duplicate of an earlier block: sent once
        }

        await a.Store.SnapshotAsync("vol", "s");
        await a.Store.CreateVolumeAsync("empty", 1 << 20);
        await a.Store.SnapshotAsync("empty", "zero");

        await SnapshotReplicator.ReplicateAsync(a.Store, "s", b.Store);
        var zero = await SnapshotReplicator.ReplicateAsync(a.Store, "zero", b.Store);

        Assert.Equal(0, zero.ChunksSent);
        await AssertFaithfulReplicaAsync(a.Store, b.Store, "s", "zero");
    }

    [Fact]
    public async Task Refuses_a_different_layout_an_existing_different_snapshot_and_damaged_chunks()
    {
        await using var a = await StoreFixture.CreateAsync(Chunk);
        await using var other = await StoreFixture.CreateAsync(Chunk * 2);
        await using var b = await StoreFixture.CreateAsync(Chunk);
        await WriteVolumeAsync(a.Store, "vol", 1 << 20, seed: 7);
        await a.Store.SnapshotAsync("vol", "s");

        var layout = await Assert.ThrowsAsync<StoreException>(() => SnapshotReplicator.ReplicateAsync(a.Store, "s", other.Store));
        Assert.Contains("layout", layout.Message);
        await Assert.ThrowsAsync<StoreException>(() => SnapshotReplicator.ReplicateAsync(a.Store, "missing", b.Store));

        await WriteVolumeAsync(b.Store, "vol", 1 << 20, seed: 8);
        await b.Store.SnapshotAsync("vol", "s");
        var clash = await Assert.ThrowsAsync<StoreException>(() => SnapshotReplicator.ReplicateAsync(a.Store, "s", b.Store));
        Assert.Contains("different content", clash.Message);

        await using var transport = new LocalChunkTransport(b.Store);
        var data = Patterns.Random(4096, 9);
        var wrongName = ChunkHash.Compute(Patterns.Random(4096, 10));
        await Assert.ThrowsAsync<ChunkCorruptException>(() => transport.PutAsync(wrongName, data, default).AsTask());
        Assert.False(await b.Store.Chunks.Backend.ContainsAsync(wrongName));
    }

    private static async Task WriteVolumeAsync(BlockStore store, string id, int size, int seed)
    {
        await store.CreateVolumeAsync(id, size);
        await using var volume = await store.OpenVolumeAsync(id);
        await volume.WriteAsync(0, Patterns.Random(size, seed));
    }

    /// <summary>Each snapshot reads back identical at the destination, and the destination scrubs clean.</summary>
    private static async Task AssertFaithfulReplicaAsync(BlockStore a, BlockStore b, params string[] ids)
    {
        foreach (var id in ids)
        {
            await using var left = await a.OpenSnapshotAsync(id);
            await using var right = await b.OpenSnapshotAsync(id);
            Assert.Equal(left.Size, right.Size);
            Assert.Equal(Patterns.Digest(await Patterns.ReadAllAsync(left)), Patterns.Digest(await Patterns.ReadAllAsync(right)));
        }

        var scrub = await b.ScrubAsync();
        Assert.True(scrub.IsClean, string.Join("; ", scrub.Corrupt.Concat(scrub.Missing).Select(p => p.Problem)));
    }

    /// <summary>Progress<T> posts to the thread pool; tests want the reports in hand when the call returns.</summary>
    private sealed class SyncProgress(Action<ReplicationProgress> report) : IProgress<ReplicationProgress>
    {
        public void Report(ReplicationProgress value)
        {
            lock (this)
            {
                report(value);
            }
        }
    }
}
