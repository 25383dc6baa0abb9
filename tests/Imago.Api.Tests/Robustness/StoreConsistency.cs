using Imago.Api.Tests.Infrastructure;
using Imago.Core.Storage;
using Imago.Data;
using Microsoft.EntityFrameworkCore;
using static Imago.Api.Tests.Compute.ComputeApi;

namespace Imago.Api.Tests.Robustness;

/// <summary>
/// Rows and block-store objects in step, for a server a test class has to itself: the store's volumes are exactly
/// the disk rows, its snapshots exactly the snapshot rows plus the snapshots images map. A request that failed halfway
/// would leave a volume or snapshot behind (or a row without bytes).
/// </summary>
internal static class StoreConsistency
{
    public static async Task AssertInStepAsync(ImagoServer server, EcsClient client)
    {
        await SettleAsync(client);
        var store = server.GetRequiredService<RegionStores>()[Region];
        await using var db = server.GetRequiredService<ImagoDatabase>().CreateContext();
        var diskRows = await db.Disks.Where(d => d.RegionId == Region).Select(d => d.Id).ToListAsync();
        var snapshotRows = await db.Snapshots.Where(s => s.RegionId == Region).Select(s => s.Id).ToListAsync();
        var mapped = await db.ImageDiskMappings.Where(m => m.RegionId == Region && m.SnapshotId != null).Select(m => m.SnapshotId!).ToListAsync();

        Assert.Equal(diskRows.Order(StringComparer.Ordinal), store.ListVolumes().Order(StringComparer.Ordinal));
        Assert.Equal(snapshotRows.Concat(mapped).Distinct().Order(StringComparer.Ordinal), store.ListSnapshots().Order(StringComparer.Ordinal));
    }

    /// <summary>Waits (bounded) until no image is Creating and no snapshot progressing: their tasks finish their rows.</summary>
    private static async Task SettleAsync(EcsClient client)
    {
        for (var i = 0; i < 200; i++)
        {
            var images = await client.CallOkAsync("DescribeImages", Params(("RegionId", Region), ("ImageOwnerAlias", "self"), ("Status", "Creating"), ("PageSize", "100")));
            var snapshots = await client.CallOkAsync("DescribeSnapshots", Params(("RegionId", Region), ("Status", "progressing"), ("PageSize", "100")));
            if (images["Images"]!["Image"]!.AsArray().Count == 0 && snapshots["Snapshots"]!["Snapshot"]!.AsArray().Count == 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("images or snapshots are still being created");
    }
}
