using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Chunks;
using Imago.Storage.Replication;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Store;

/// <summary>
/// A chunk answered "present" by <see cref="ChunkStore.TryReferenceExistingAsync"/> (directly, or as a replication
/// "have") while a collection sweeps it must survive until its pins are released.
/// </summary>
public sealed class PinDuringSweepTests
{
    private const int Rounds = 60;
    private const int ChunksPerRound = 8;

    [Fact]
    public async Task A_chunk_reported_present_during_a_sweep_is_never_deleted()
    {
        using var temp = new TempDirectory();
        var options = new BlockStoreOptions { ChunkSize = 64 * 1024, WrapBackend = b => new PausingBackend(b, pauseGets: false, pauseDeletes: true) };
        await using var store = await BlockStore.OpenAsync(temp.File("store"), options);
        var chunks = store.Chunks;
        var present = 0;
        var absent = 0;

        for (var round = 0; round < Rounds; round++)
        {
            var hashes = await StoreUnreferencedAsync(chunks, round);
            var useTransport = round % 2 == 1;
            var transport = new LocalChunkTransport(store);
            var pins = chunks.CreatePins();
            try
            {
                var collection = Task.Run(() => store.CollectGarbageAsync());
                var answers = await Task.Run(async () =>
                {
                    var result = new bool[hashes.Count];
                    for (var i = 0; i < hashes.Count; i++)
                    {
                        result[i] = useTransport
                            ? (await transport.HaveAsync([hashes[i]], CancellationToken.None))[0]
                            : await chunks.TryReferenceExistingAsync(hashes[i], pins);
                    }

                    return result;
                });
                await collection;

                // Another full collection while the pins are held must keep every chunk answered present, too.
                await store.CollectGarbageAsync();
                for (var i = 0; i < hashes.Count; i++)
                {
                    var stored = await chunks.Backend.ContainsAsync(hashes[i]);
                    if (answers[i])
                    {
                        present++;
                        Assert.True(stored, $"round {round}: chunk {i} was reported present and then swept");
                        Assert.Equal(Payload(round, i), await chunks.ReadAsync(hashes[i]));
                    }
                    else
                    {
                        absent++;
                        Assert.False(stored, $"round {round}: chunk {i} was reported absent although nothing deleted it");
                    }
                }
            }
            finally
            {
                await transport.DisposeAsync();
                pins.Dispose();
            }

            // Released: the next collection reclaims them all, whatever the answers were.
            await store.CollectGarbageAsync();
            foreach (var hash in hashes)
            {
                Assert.False(await chunks.Backend.ContainsAsync(hash));
            }
        }

        Assert.Equal(Rounds * ChunksPerRound, present + absent);
    }

    [Fact]
    public async Task Try_reference_existing_pins_only_what_is_present()
    {
        using var temp = new TempDirectory();
        await using var store = await BlockStore.OpenAsync(temp.File("store"), new BlockStoreOptions { ChunkSize = 64 * 1024 });
        var hashes = await StoreUnreferencedAsync(store.Chunks, 0);
        var never = ChunkHash.Compute(Payload(99, 99));

        using (var pins = store.Chunks.CreatePins())
        {
            Assert.True(await store.Chunks.TryReferenceExistingAsync(hashes[0], pins));
            Assert.False(await store.Chunks.TryReferenceExistingAsync(never, pins));
            Assert.False(await store.Chunks.TryReferenceExistingAsync(ChunkHash.Zero, pins));

            var report = await store.CollectGarbageAsync();
            Assert.Equal(ChunksPerRound - 1, report.ChunksDeleted); // all but the pinned one
            Assert.True(await store.Chunks.Backend.ContainsAsync(hashes[0]));
        }

        Assert.Equal(1, (await store.CollectGarbageAsync()).ChunksDeleted);
    }

    private static async Task<List<ChunkHash>> StoreUnreferencedAsync(ChunkStore chunks, int round)
    {
        var hashes = new List<ChunkHash>();
        using (var pins = chunks.CreatePins())
        {
            for (var i = 0; i < ChunksPerRound; i++)
            {
                hashes.Add(await chunks.WriteAsync(Payload(round, i), pins));
            }

            await chunks.FlushAsync();
        }

        return hashes;
    }

    private static byte[] Payload(int round, int index) => Patterns.Random(4096, (round * 1000) + index + 1);
}
