using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Replication;

/// <summary>The store call replication ends with: recording a snapshot under a root it already holds.</summary>
public sealed class SnapshotRecordTests
{
    [Fact]
    public async Task Concurrent_creations_of_one_snapshot_id_let_exactly_one_win()
    {
        await using var fixture = await StoreFixture.CreateAsync(256 << 10);
        var store = fixture.Store;
        await store.CreateVolumeAsync("vol", 4 << 20);
        await store.SnapshotAsync("vol", "base");
        var record = await store.TryGetSnapshotRecordAsync("base");
        Assert.NotNull(record);

        var attempts = Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.CreateSnapshotAsync("copy", record))).ToArray();
        var outcomes = await Task.WhenAll(attempts.Select(async t =>
        {
            try
            {
                await t;
                return true;
            }
            catch (StoreException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
        Assert.Equal(record, await store.TryGetSnapshotRecordAsync("copy"));
        Assert.Null(await store.TryGetSnapshotRecordAsync("absent"));
    }
}
