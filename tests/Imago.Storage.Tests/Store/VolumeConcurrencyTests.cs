using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Tests.Infrastructure;
using Imago.Storage.Volumes;

namespace Imago.Storage.Tests.Store;

public sealed class VolumeConcurrencyTests
{
    private const int Chunk = 4096;

    // Writes in the torn-read test leave each block's head alone: every write is then partial, the path that
    // modifies a pending chunk buffer in place (a whole-block write swaps in a fresh buffer instead).
    private const int Head = 512;

    [Fact]
    public async Task Concurrent_readers_never_see_a_torn_block_while_writers_write_zero_trim_and_flush()
    {
        // Large chunks make copying one take long enough for an unguarded write and read to overlap; fanout 4 gives
        // a multi-level tree, so pages change under the readers too.
        const int chunk = 64 * 1024;
        await using var f = await StoreFixture.CreateAsync(chunk, fanout: 4);
        const int blocks = 8; // few blocks, mostly rewritten in place: an unguarded write would meet readers often
        const int writers = 4;
        await f.Store.CreateVolumeAsync("d-1", blocks * chunk);
        var last = new byte[blocks]; // per block, the value its owning writer wrote last (0: zeroed or trimmed)
        await using (var volume = await f.Store.OpenVolumeAsync("d-1"))
        {
            var writerTasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                var random = new Random(100 + w);
                for (var i = 0; i < 400; i++)
                {
                    await Task.Yield(); // calls on cached data complete synchronously: yield so all tasks interleave
                    var block = (random.Next(blocks / writers) * writers) + w; // each writer owns its blocks: the final state is known
                    switch (random.Next(20))
                    {
                        case 0 or 1:
                            await volume.WriteZeroesAsync((long)block * chunk, chunk);
                            last[block] = 0;
                            break;
                        case 2 or 3:
                            await volume.TrimAsync((long)block * chunk, chunk);
                            last[block] = 0;
                            break;
                        case 4 when w == 0:
                            await volume.FlushAsync();
                            break;
                        default:
                            var value = ValueFor(block, random.Next(1, 16));
                            await volume.WriteAsync((long)block * chunk + Head, Filled(value, chunk - Head));
                            last[block] = value;
                            break;
                    }
                }
            })).ToList();

            var readerTasks = Enumerable.Range(0, 8).Select(r => Task.Run(async () =>
            {
                var random = new Random(200 + r);
                var checkedBlocks = 0;
                for (var i = 0; i < 400; i++)
                {
                    await Task.Yield();

                    // Reads start anywhere and may span blocks; every block's part must be one write's content.
                    var offset = random.Next(blocks * chunk - 1);
                    var length = Math.Min(random.Next(1, 3 * chunk), blocks * chunk - offset);
                    var buffer = new byte[length];
                    await volume.ReadAsync(offset, buffer);
                    checkedBlocks += AssertConsistent(chunk, offset, buffer);
                }

                return checkedBlocks;
            })).ToList();

            await Task.WhenAll(writerTasks);
            Assert.All(await Task.WhenAll(readerTasks), n => Assert.True(n >= 150)); // some reads cover only a head
        }

        await f.ReopenAsync();
        await using var reopened = await f.Store.OpenVolumeAsync("d-1");
        var all = await Patterns.ReadAllAsync(reopened);
        for (var block = 0; block < blocks; block++)
        {
            Assert.True(all.AsSpan(block * chunk, Head).IndexOfAnyExcept((byte)0) < 0, $"block {block} head should stay zero");
            Assert.True(all.AsSpan(block * chunk + Head, chunk - Head).IndexOfAnyExcept(last[block]) < 0, $"block {block} should hold {last[block]} after reopen");
        }
    }

    [Fact]
    public async Task Reads_of_one_volume_run_inside_the_store_at_the_same_time()
    {
        using var temp = new TempDirectory();
        OverlapBackend? overlap = null;
        var options = new BlockStoreOptions { ChunkSize = Chunk, WrapBackend = b => overlap = new OverlapBackend(b) };
        await using var store = await BlockStore.OpenAsync(temp.File("store"), options);
        const int blocks = 16;
        await store.CreateVolumeAsync("d-1", blocks * Chunk);
        await using (var volume = await store.OpenVolumeAsync("d-1"))
        {
            for (var block = 0; block < blocks; block++)
            {
                await volume.WriteAsync((long)block * Chunk, Filled(ValueFor(block, 1)));
            }
        }

        // A freshly opened volume has empty caches: every read below reaches the backend.
        await using var reopened = await store.OpenVolumeAsync("d-1");
        overlap!.Arm();
        var reads = Enumerable.Range(0, blocks).Select(block => Task.Run(async () =>
        {
            var buffer = new byte[Chunk];
            await reopened.ReadAsync((long)block * Chunk, buffer);
            return buffer.AsSpan().IndexOfAnyExcept(ValueFor(block, 1)) < 0;
        })).ToList();

        Assert.All(await Task.WhenAll(reads), Assert.True);
        Assert.True(overlap.MaxInFlight > 1, $"reads should overlap inside the store, but at most {overlap.MaxInFlight} was in flight");
    }

    [Fact]
    public async Task Page_and_chunk_caches_stay_bounded_while_a_larger_volume_is_read_repeatedly()
    {
        // Fanout 2 gives about as many pages as blocks: 1200 blocks make ~1200 pages, more than the page cache holds.
        await using var f = await StoreFixture.CreateAsync(Chunk, fanout: 2);
        const int blocks = 1200;
        await f.Store.CreateVolumeAsync("d-1", blocks * Chunk);
        await using (var volume = await f.Store.OpenVolumeAsync("d-1"))
        {
            for (var block = 0; block < blocks; block++)
            {
                await volume.WriteAsync((long)block * Chunk, Indexed(block));
            }
        }

        await using var device = await f.Store.OpenVolumeAsync("d-1");
        var disk = (StoredDisk)device;
        for (var pass = 0; pass < 2; pass++)
        {
            // Four readers at once, each over every block in its own order.
            var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
            {
                var buffer = new byte[Chunk];
                for (var i = 0; i < blocks; i++)
                {
                    var block = (i * (2 * r + 1) + r * 97) % blocks;
                    await device.ReadAsync((long)block * Chunk, buffer);
                    Assert.True(buffer.AsSpan().SequenceEqual(Indexed(block)), $"block {block} read wrong data");
                }
            }));
            await Task.WhenAll(readers);

            Assert.Equal(Tree.BlockMap.MaxCleanPages, disk.CachedPages); // full, never past the bound
            Assert.Equal(StoredDisk.MaxCachedChunks, disk.CachedChunks);
        }
    }

    [Fact]
    public async Task A_working_set_within_the_caches_is_read_again_without_touching_the_backend()
    {
        await using var f = await StoreFixture.CreateAsync(Chunk, fanout: 4);
        const int blocks = 64;
        const int workingSet = 10; // chunks, fewer than StoredDisk.MaxCachedChunks
        await f.Store.CreateVolumeAsync("d-1", blocks * Chunk);
        await using var volume = await f.Store.OpenVolumeAsync("d-1");
        for (var block = 0; block < blocks; block++)
        {
            await volume.WriteAsync((long)block * Chunk, Indexed(block));
        }

        await volume.FlushAsync();
        var buffer = new byte[Chunk];
        for (var block = 0; block < workingSet; block++)
        {
            await volume.ReadAsync((long)block * Chunk, buffer);
        }

        f.Counter.Reset();
        for (var pass = 0; pass < 3; pass++)
        {
            for (var block = workingSet - 1; block >= 0; block--) // alternating blocks: a last-chunk cache would miss every time
            {
                await volume.ReadAsync((long)block * Chunk, buffer);
                Assert.True(buffer.AsSpan().SequenceEqual(Indexed(block)));
            }
        }

        Assert.Equal(0, f.Counter.Gets);
    }

    // A block's value names the block (low nibble) and a version (high nibble), so a misplaced block is caught too.
    private static byte ValueFor(int block, int version) => (byte)((version << 4) | (block & 0xF));

    private static byte[] Filled(byte value, int length = Chunk)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }

    private static byte[] Indexed(int block)
    {
        var bytes = Patterns.Random(Chunk, block);
        BitConverter.TryWriteBytes(bytes, block);
        return bytes;
    }

    // Returns how many block parts it checked: heads zero, the rest one byte value, zero or naming its own block.
    private static int AssertConsistent(int chunk, int offset, byte[] buffer)
    {
        var parts = 0;
        for (var done = 0; done < buffer.Length;)
        {
            var block = (offset + done) / chunk;
            var within = (offset + done) % chunk;
            if (within < Head)
            {
                var head = Math.Min(buffer.Length - done, Head - within);
                Assert.True(buffer.AsSpan(done, head).IndexOfAnyExcept((byte)0) < 0, $"block {block} head was written");
                done += head;
                continue;
            }

            var length = Math.Min(buffer.Length - done, (block + 1) * chunk - (offset + done));
            var part = buffer.AsSpan(done, length);
            var value = part[0];
            Assert.True(part.IndexOfAnyExcept(value) < 0, $"block {block} mixes two writes");
            Assert.True(value == 0 || (value & 0xF) == (block & 0xF), $"block {block} holds another block's value {value}");
            parts++;
            done += length;
        }

        return parts;
    }
}
