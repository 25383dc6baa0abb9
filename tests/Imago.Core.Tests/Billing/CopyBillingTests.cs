using Imago.Core.Billing;
using Imago.Core.Copying;
using Imago.Core.Tests.Copying;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Imago.Core.Tests.Billing;

/// <summary>CopyImage's new snapshots are the owner's in the destination region, billed at its prices.</summary>
public sealed class CopyBillingTests : IDisposable
{
    private const long Alice = 1_000_000_000_000_001;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Copying_an_image_bills_the_destination_regions_snapshot_capacity_to_the_owner()
    {
        await using var env = await CopyHarness.OpenAsync(_dir.Path);
        var snapshot = await env.AddStoreSnapshotAsync(CopyHarness.Source, CopyHarness.RandomBytes(8, seed: 11));
        var source = await env.AddCustomImageAsync(Alice, [snapshot]);
        var copy = await env.Copies.CopyAsync(new Caller(Alice), new CopyImageRequest(CopyHarness.Source, source.Id, CopyHarness.Destination), CancellationToken.None);
        await env.Env.WaitForImageAsync(copy.ImageId, ImageStatuses.Available);
        var copied = (await env.Env.FindImageAsync(copy.ImageId))!.DiskMappings[0].SnapshotId!;

        UsageIntervalEntity interval;
        await using (var db = env.Env.Database.CreateContext())
        {
            interval = await db.UsageIntervals.AsNoTracking().SingleAsync(u => u.ResourceId == copied);
        }

        Assert.Equal((Alice, CopyHarness.Destination, UsageResourceTypes.Snapshot), (interval.AccountId, interval.RegionId, interval.ResourceType));
        Assert.True(interval.StoredBytes >= 8L * CopyHarness.ChunkSize);

        var clock = new WallClock(new DateTimeOffset(interval.StartedAt, TimeSpan.Zero).AddHours(2));
        await new UsageMeter(env.Env.Database, BillingHarness.TestPriceBook(), clock, NullLogger<UsageMeter>.Instance).AccrueAsync(CancellationToken.None);
        await using var read = env.Env.Database.CreateContext();
        var items = await read.LedgerItems.AsNoTracking().Where(l => l.ResourceId == copied).ToListAsync();
        Assert.NotEmpty(items);
        Assert.All(items, i =>
        {
            Assert.Equal(CopyHarness.Destination, i.RegionId);
            Assert.Equal(BillingHarness.ShanghaiSnapshotGiBMonth, i.UnitPrice);
            Assert.Equal("CNY", i.Currency);
        });
    }
}
