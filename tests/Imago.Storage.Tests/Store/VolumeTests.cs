using Imago.Storage.Metadata;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Store;

public sealed class VolumeTests
{
    private const int Chunk = 64 * 1024;

    [Theory]
    [InlineData(Chunk, null)]  // one level of pages
    [InlineData(4096, 4)]      // tiny pages: a four-level tree on a 1 MiB disk
    public async Task Random_writes_read_back_and_survive_reopen(int chunkSize, int? fanout)
    {
        await using var f = await StoreFixture.CreateAsync(chunkSize, fanout);
        const int size = (1 << 20) + 3 * 512; // not a chunk multiple: the last block is short
        await f.Store.CreateVolumeAsync("d-1", size);
        var model = new byte[size];
        var random = new Random(7);
        await using (var volume = await f.Store.OpenVolumeAsync("d-1"))
        {
            for (var i = 0; i < 200; i++)
            {
                var offset = random.Next(size);
                var length = Math.Min(random.Next(1, 3 * chunkSize), size - offset);
                switch (random.Next(4))
                {
                    case 0:
                        await volume.WriteZeroesAsync(offset, length);
                        Array.Clear(model, offset, length);
                        break;
                    case 1:
                        await volume.TrimAsync(offset, length);
                        Array.Clear(model, offset, length);
                        break;
                    default:
                        var data = Patterns.Random(length, i);
                        await volume.WriteAsync(offset, data);
                        data.CopyTo(model, offset);
                        break;
                }

                if (i % 50 == 0)
                {
                    await volume.FlushAsync();
                }

                var check = random.Next(size);
                var checkLength = Math.Min(random.Next(1, 2 * chunkSize), size - check);
                var read = new byte[checkLength];
                await volume.ReadAsync(check, read);
                Assert.Equal(model.AsSpan(check, checkLength).ToArray(), read);
            }

            Assert.Equal(model, await Patterns.ReadAllAsync(volume));
        }

        await f.ReopenAsync();
        await using var reopened = await f.Store.OpenVolumeAsync("d-1");
        Assert.Equal(model, await Patterns.ReadAllAsync(reopened));
    }

    [Fact]
    public async Task Writes_after_a_snapshot_never_change_it()
    {
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("d-1", 1 << 20);
        var first = Patterns.Random(1 << 20, 1);
        await using var volume = await f.Store.OpenVolumeAsync("d-1");
        await volume.WriteAsync(0, first);
        await f.Store.SnapshotAsync("d-1", "s-1"); // pending writes are committed into the snapshot

        await volume.WriteAsync(100, Patterns.Random(5000, 2));
        await volume.WriteZeroesAsync(Chunk * 3, Chunk);
        await volume.FlushAsync();

        await using (var snapshot = await f.Store.OpenSnapshotAsync("s-1"))
        {
            Assert.True(snapshot.IsReadOnly);
            Assert.Equal(first, await Patterns.ReadAllAsync(snapshot));
            await Assert.ThrowsAsync<StoreException>(() => snapshot.WriteAsync(0, new byte[512]).AsTask());
        }

        var now = await Patterns.ReadAllAsync(volume);
        Assert.NotEqual(first, now);
        Assert.True(now.AsSpan(Chunk * 3, Chunk).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public async Task A_clone_shares_the_snapshot_and_diverges_independently_and_may_grow()
    {
        // fanout 4 with 64 KiB chunks: a 1 MiB disk has depth 2, the grown 8 MiB clone depth 3 (new top pages).
        await using var f = await StoreFixture.CreateAsync(Chunk, fanout: 4);
        await f.Store.CreateVolumeAsync("d-1", 1 << 20);
        var content = Patterns.Random(1 << 20, 3);
        await using (var volume = await f.Store.OpenVolumeAsync("d-1"))
        {
            await volume.WriteAsync(0, content);
        }

        await f.Store.SnapshotAsync("d-1", "s-1");
        await f.Store.CreateVolumeFromSnapshotAsync("s-1", "d-2");
        await f.Store.CreateVolumeFromSnapshotAsync("s-1", "d-3", size: 8 << 20);
        await Assert.ThrowsAsync<StoreException>(() => f.Store.CreateVolumeFromSnapshotAsync("s-1", "d-4", size: 4096));

        await using (var clone = await f.Store.OpenVolumeAsync("d-2"))
        {
            Assert.Equal(content, await Patterns.ReadAllAsync(clone));
            await clone.WriteAsync(0, new byte[4096]);
        }

        await using (var grown = await f.Store.OpenVolumeAsync("d-3"))
        {
            Assert.Equal(8 << 20, grown.Size);
            var all = await Patterns.ReadAllAsync(grown);
            Assert.Equal(content, all[..(1 << 20)]);
            Assert.True(all.AsSpan(1 << 20).IndexOfAnyExcept((byte)0) < 0);
            await grown.WriteAsync(7 << 20, content.AsMemory(0, Chunk));
            await grown.FlushAsync();
            var tail = new byte[Chunk];
            await grown.ReadAsync(7 << 20, tail);
            Assert.Equal(content[..Chunk], tail);
        }

        await using var original = await f.Store.OpenVolumeAsync("d-1");
        Assert.Equal(content, await Patterns.ReadAllAsync(original));
        await using var snapshot = await f.Store.OpenSnapshotAsync("s-1");
        Assert.Equal(content, await Patterns.ReadAllAsync(snapshot));
        Assert.Equal(["d-1", "d-2", "d-3"], f.Store.ListVolumes());
        Assert.Equal(["s-1"], f.Store.ListSnapshots());
    }

    [Fact]
    public async Task Snapshot_and_clone_of_a_large_sparse_volume_cost_only_changed_metadata()
    {
        await using var f = await StoreFixture.CreateAsync(256 * 1024);
        const long size = 1L << 40; // 1 TiB virtual: 4 Mi blocks, two levels of 8192-reference pages
        await f.Store.CreateVolumeAsync("d-1", size);
        await using var volume = await f.Store.OpenVolumeAsync("d-1");
        foreach (var offset in new[] { 0L, 1L << 30, 512L << 30, size - 4096 })
        {
            await volume.WriteAsync(offset, Patterns.Random(4096, (int)(offset >> 20)));
        }

        await volume.FlushAsync();
        f.Counter.Reset();
        await f.Store.SnapshotAsync("d-1", "s-1");
        Assert.Equal(0, f.Counter.Puts); // a committed volume: the snapshot is one small record

        await f.Store.CreateVolumeFromSnapshotAsync("s-1", "d-2");
        Assert.Equal(0, f.Counter.Puts);

        // One more 4 KiB write: one data chunk, the leaf page on its path and the root page.
        await volume.WriteAsync(3L << 30, Patterns.Random(4096, 99));
        await f.Store.SnapshotAsync("d-1", "s-2");
        Assert.Equal(3, f.Counter.Puts);
        // At most one chunk plus two pages (a page is at most a chunk), whatever the 1 TiB disk size.
        Assert.True(f.Counter.BytesPut <= 3 * 256 * 1024, $"{f.Counter.BytesPut} bytes written");

        var info = await f.Store.GetInfoAsync(VersionKind.Snapshot, "s-2");
        Assert.Equal(5, info.AllocatedChunks);
        Assert.Equal(5 * 256 * 1024, info.UniqueBytes);
        Assert.Equal(size, info.Size);
    }

    [Fact]
    public async Task Zero_writes_store_no_chunks_and_identical_blocks_are_stored_once()
    {
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("d-1", 4 << 20);
        await using var volume = await f.Store.OpenVolumeAsync("d-1");
        await volume.WriteAsync(0, new byte[2 << 20]);
        var block = Patterns.Random(Chunk, 5);
        for (var i = 32; i < 64; i++)
        {
            await volume.WriteAsync((long)i * Chunk, block);
        }

        await volume.FlushAsync();
        Assert.Equal(2, f.Counter.Puts); // one data chunk, one page
        var info = await f.Store.GetInfoAsync(VersionKind.Volume, "d-1");
        Assert.Equal(32, info.AllocatedChunks);
        Assert.Equal(Chunk, info.UniqueBytes);
    }

    [Fact]
    public async Task Lifecycle_errors_are_clear()
    {
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("d-1", 1 << 20);
        await Assert.ThrowsAsync<StoreException>(() => f.Store.CreateVolumeAsync("d-1", 1 << 20));
        await Assert.ThrowsAsync<StoreException>(() => f.Store.OpenVolumeAsync("d-404"));
        await Assert.ThrowsAsync<StoreException>(() => f.Store.CreateVolumeAsync("d-2", 0));
        var volume = await f.Store.OpenVolumeAsync("d-1");
        await Assert.ThrowsAsync<StoreException>(() => f.Store.OpenVolumeAsync("d-1"));
        await Assert.ThrowsAsync<StoreException>(() => f.Store.DeleteVolumeAsync("d-1"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => volume.WriteAsync((1 << 20) - 10, new byte[20]).AsTask());
        await volume.DisposeAsync();
        await f.Store.SnapshotAsync("d-1", "s-1");
        await Assert.ThrowsAsync<StoreException>(() => f.Store.SnapshotAsync("d-1", "s-1"));
        await f.Store.DeleteSnapshotAsync("s-1");
        await f.Store.DeleteVolumeAsync("d-1");
        Assert.Empty(f.Store.ListVolumes());
        Assert.Empty(f.Store.ListSnapshots());
    }

    [Fact]
    public async Task Concurrent_reads_and_writes_on_one_volume_are_safe()
    {
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("d-1", 4 << 20);
        await using var volume = await f.Store.OpenVolumeAsync("d-1");
        // Each task owns a disjoint 256 KiB region, so the final content is known whatever the interleaving.
        var tasks = Enumerable.Range(0, 16).Select(t => Task.Run(async () =>
        {
            var expected = Patterns.Random(256 * 1024, t);
            for (var i = 0; i < 8; i++)
            {
                var piece = 32 * 1024;
                await volume.WriteAsync(t * 256L * 1024 + i * piece, expected.AsMemory(i * piece, piece));
                if (i % 3 == 0)
                {
                    await volume.FlushAsync();
                }
            }

            var back = new byte[expected.Length];
            await volume.ReadAsync(t * 256L * 1024, back);
            Assert.Equal(expected, back);
        })).ToArray();
        await Task.WhenAll(tasks);
    }
}
