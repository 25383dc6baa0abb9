using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Review;

public sealed class GcAfterFailedCaptureTests
{
    [Fact]
    public async Task A_collection_refused_over_a_damaged_record_does_not_block_later_collections()
    {
        // The collection switches the chunk store to "collecting" and then reads every record; a damaged record
        // fails that read. The switch must be undone, or every later collection is refused as "already running"
        // (and every pin is added to a live set nobody reads, for as long as the process runs).
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("d-1", 1 << 20);
        await f.Store.CreateVolumeAsync("d-2", 1 << 20);
        var damaged = Path.Combine(f.Path, "volumes", "d-2.json");
        await File.WriteAllTextAsync(damaged, "{\"size\": ");
        await Assert.ThrowsAsync<StoreException>(() => f.Store.CollectGarbageAsync());

        File.Delete(damaged); // the operator removes the damaged record
        var report = await f.Store.CollectGarbageAsync();
        Assert.Equal(0, report.ChunksDeleted);
    }
}
