using Imago.Core.Compute;
using Microsoft.EntityFrameworkCore;
using Imago.Core.Tests.Compute;
using Imago.Data.Entities;

namespace Imago.Core.Tests.Billing;

/// <summary>The fee rules of issue 6, each on its own, on a clock that stands still until advanced.</summary>
public sealed class FeeRuleTests : IAsyncLifetime
{
    private const decimal GiB = 1L << 30;
    private BillingHarness _h = null!;

    public async Task InitializeAsync() => _h = await BillingHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static Caller Alice => BillingHarness.Alice;

    private static Caller Bob => BillingHarness.Bob;

    private Task<string> LaunchAsync(Caller caller, string imageId) => _h.Compute.RunOneAsync(caller, ComputeFixture.Launch(imageId));

    [Fact]
    public async Task A_public_image_is_free_the_instance_pays_its_type_per_hour()
    {
        var image = await _h.Compute.AddImageAsync();
        var instance = await LaunchAsync(Alice, image.Id);
        _h.Clock.Advance(TimeSpan.FromHours(2));
        await _h.MeterAsync();

        var ledger = await _h.LedgerAsync(Alice);
        Assert.Equal(2, ledger.Count);
        Assert.All(ledger, l =>
        {
            Assert.Equal(instance, l.ResourceId);
            Assert.Equal(LedgerItems.InstanceType, l.Item);
            Assert.Equal(BillingHarness.HangzhouHourly, l.Amount);
            Assert.Equal(1m, l.Quantity);
            Assert.Equal("Hour", l.Unit);
            Assert.Equal("USD", l.Currency);
            Assert.Equal("2026-03", l.BillingCycle);
        });
        Assert.Equal([BillingHarness.Start.UtcDateTime, BillingHarness.Start.UtcDateTime.AddHours(1)], ledger.Select(l => l.HourStart));
    }

    [Fact]
    public async Task Only_complete_hours_are_billed_and_each_is_prorated_by_the_second()
    {
        var image = await _h.Compute.AddImageAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(15));
        var instance = await LaunchAsync(Alice, image.Id); // 10:15
        _h.Clock.Advance(TimeSpan.FromMinutes(40)); // 10:55: the hour is not over
        Assert.Equal(0, await _h.MeterAsync());

        _h.Clock.Advance(TimeSpan.FromMinutes(50)); // 11:45
        await _h.Compute.Instances.DeleteInstanceAsync(Alice, null, instance, force: true, dryRun: false, CancellationToken.None);
        _h.Clock.Advance(TimeSpan.FromHours(3));
        await _h.MeterAsync();

        var ledger = await _h.LedgerAsync(Alice);
        Assert.Equal(2, ledger.Count);
        Assert.Equal(0.75m, ledger[0].Quantity); // 10:15-11:00
        Assert.Equal(0.75m, ledger[1].Quantity); // 11:00-11:45
        Assert.Equal(0.75m * BillingHarness.HangzhouHourly, ledger[0].Amount);
        Assert.Equal(BillingHarness.Start.UtcDateTime.AddMinutes(15), ledger[0].PeriodStart);
        Assert.Equal(BillingHarness.Start.UtcDateTime.AddMinutes(105), ledger[1].PeriodEnd);
        Assert.True(Assert.Single(await _h.IntervalsAsync(instance)).Settled);
    }

    [Fact]
    public async Task An_instance_of_a_marketplace_image_pays_the_vendors_hourly_price_to_its_owner()
    {
        var image = await _h.AddMarketplaceImageAsync("cmjj0001", 0.5m);
        var instance = await LaunchAsync(Alice, image.Id);
        _h.Clock.Advance(TimeSpan.FromHours(2));
        await _h.MeterAsync();

        var fees = (await _h.LedgerAsync(Alice)).Where(l => l.Item == LedgerItems.ImageFee).ToList();
        Assert.Equal(2, fees.Count);
        Assert.All(fees, f =>
        {
            Assert.Equal(instance, f.ResourceId);
            Assert.Equal("cmjj0001", f.ProductCode);
            Assert.Equal(0.5m, f.UnitPrice);
            Assert.Equal(0.5m, f.Amount);
        });
        Assert.Equal(2, (await _h.LedgerAsync(Alice)).Count(l => l.Item == LedgerItems.InstanceType));
    }

    [Fact]
    public async Task A_custom_images_snapshot_capacity_is_billed_to_its_owner_per_GiB_month()
    {
        var image = await _h.Compute.AddImageAsync();
        var (_, system) = await RunWithDiskAsync(Alice, image.Id);
        var snapshot = await _h.SnapshotAsync(Alice, system.Id);
        await _h.ImageOfSnapshotAsync(Alice, snapshot.Id);
        Assert.True(snapshot.StoredBytes > 0);
        _h.Clock.Advance(TimeSpan.FromHours(3));
        await _h.MeterAsync();

        var capacity = (await _h.LedgerAsync(Alice)).Where(l => l.Item == LedgerItems.SnapshotCapacity).ToList();
        Assert.Equal(3, capacity.Count);
        var perHour = Math.Round(snapshot.StoredBytes / GiB * BillingHarness.HangzhouSnapshotGiBMonth / BillingHarness.HoursPerMonth, 12);
        Assert.All(capacity, c =>
        {
            Assert.Equal(snapshot.Id, c.ResourceId);
            Assert.Equal("GiB-Month", c.Unit);
            Assert.Equal(BillingHarness.HangzhouSnapshotGiBMonth, c.UnitPrice);
            Assert.Equal(perHour, c.Amount);
        });
    }

    [Fact]
    public async Task A_shared_images_recipient_pays_no_snapshot_fee_but_pays_the_vendor()
    {
        var marketplace = await _h.AddMarketplaceImageAsync("cmjj0002", 0.3m);
        var (_, system) = await RunWithDiskAsync(Alice, marketplace.Id);
        var snapshot = await _h.SnapshotAsync(Alice, system.Id);
        Assert.Equal("cmjj0002", snapshot.ProductCode); // lineage: the disk's product
        var derived = await _h.AddCustomImageAsync(Alice, "cmjj0002");
        await _h.Compute.ShareAsync(derived, Bob);
        var bobs = await LaunchAsync(Bob, derived.Id);
        _h.Clock.Advance(TimeSpan.FromHours(1));
        await _h.MeterAsync();

        var bob = await _h.LedgerAsync(Bob);
        Assert.DoesNotContain(bob, l => l.Item == LedgerItems.SnapshotCapacity);
        Assert.Equal(0.3m, Assert.Single(bob, l => l.Item == LedgerItems.ImageFee && l.ResourceId == bobs).Amount);
        Assert.Contains(await _h.LedgerAsync(Alice), l => l.Item == LedgerItems.SnapshotCapacity && l.ResourceId == snapshot.Id);
    }

    [Fact]
    public async Task Public_image_snapshots_cost_nothing()
    {
        var image = await _h.Compute.AddImageAsync();
        await LaunchAsync(Alice, image.Id);
        _h.Clock.Advance(TimeSpan.FromHours(1));
        await _h.MeterAsync();

        await using var db = _h.Compute.Database.CreateContext();
        Assert.DoesNotContain(db.UsageIntervals, u => u.ResourceType == UsageResourceTypes.Snapshot);
    }

    [Fact]
    public async Task Deleting_an_image_keeps_its_snapshots_charge_until_the_snapshot_is_deleted()
    {
        var image = await _h.Compute.AddImageAsync();
        var (_, system) = await RunWithDiskAsync(Alice, image.Id);
        var snapshot = await _h.SnapshotAsync(Alice, system.Id);
        var custom = await _h.ImageOfSnapshotAsync(Alice, snapshot.Id);
        _h.Clock.Advance(TimeSpan.FromHours(1));
        await _h.Images.DeleteAsync(Alice, BillingHarness.Region, custom.Id, force: false, dryRun: false, CancellationToken.None); // 11:00
        _h.Clock.Advance(TimeSpan.FromMinutes(30));
        await _h.Snapshots.DeleteAsync(Alice, null, snapshot.Id, force: true, CancellationToken.None); // 11:30
        _h.Clock.Advance(TimeSpan.FromHours(3));
        await _h.MeterAsync();

        var capacity = (await _h.LedgerAsync(Alice)).Where(l => l.Item == LedgerItems.SnapshotCapacity).ToList();
        Assert.Equal(2, capacity.Count); // 10:00-11:00 while the image existed, 11:00-11:30 while only the snapshot did
        Assert.Equal(BillingHarness.Start.UtcDateTime.AddMinutes(90), capacity[1].PeriodEnd);
    }

    [Fact]
    public async Task Replacing_the_system_disk_moves_the_vendor_charge_to_the_new_images_product()
    {
        var marketplace = await _h.AddMarketplaceImageAsync("cmjj0003", 0.4m);
        var free = await _h.Compute.AddImageAsync();
        var instance = await LaunchAsync(Alice, marketplace.Id);
        _h.Clock.Advance(TimeSpan.FromMinutes(90));
        await _h.Compute.Instances.StopInstanceAsync(Alice, null, instance, false, CancellationToken.None);
        await _h.Compute.Instances.ReplaceSystemDiskAsync(Alice, new ReplaceSystemDiskRequest { InstanceId = instance, ImageId = free.Id }, CancellationToken.None);
        _h.Clock.Advance(TimeSpan.FromMinutes(90));
        await _h.MeterAsync();

        var ledger = await _h.LedgerAsync(Alice);
        Assert.Equal([0.4m, 0.2m], ledger.Where(l => l.Item == LedgerItems.ImageFee).Select(l => l.Amount)); // 10:00-11:00, 11:00-11:30
        Assert.Equal(3 * BillingHarness.HangzhouHourly, ledger.Where(l => l.Item == LedgerItems.InstanceType).Sum(l => l.Amount));
    }

    [Fact]
    public async Task Unsharing_does_not_stop_a_running_instances_vendor_charge()
    {
        await _h.AddMarketplaceImageAsync("cmjj0004", 0.25m);
        var derived = await _h.AddCustomImageAsync(Alice, "cmjj0004");
        await _h.Compute.ShareAsync(derived, Bob);
        var instance = await LaunchAsync(Bob, derived.Id);
        await using (var db = _h.Compute.Database.CreateContext())
        {
            // What ModifyImageSharePermission RemoveAccount commits (the sharing tests cover the action itself).
            await db.ImageShares.Where(s => s.ImageId == derived.Id && s.AccountId == Bob.AccountId).ExecuteDeleteAsync();
        }

        _h.Clock.Advance(TimeSpan.FromHours(2));
        await _h.MeterAsync();

        Assert.Equal([0.25m, 0.25m], (await _h.LedgerAsync(Bob)).Where(l => l.Item == LedgerItems.ImageFee && l.ResourceId == instance).Select(l => l.Amount));
    }

    [Fact]
    public async Task A_withdrawn_product_keeps_charging_running_instances_until_they_are_deleted()
    {
        var image = await _h.AddMarketplaceImageAsync("cmjj0005", 1m);
        var instance = await LaunchAsync(Alice, image.Id);
        await _h.SetProductStatusAsync("cmjj0005", MarketplaceProductStatuses.Withdrawn);
        _h.Clock.Advance(TimeSpan.FromHours(2));
        await _h.Compute.Instances.DeleteInstanceAsync(Alice, null, instance, force: true, dryRun: false, CancellationToken.None);
        _h.Clock.Advance(TimeSpan.FromHours(2));
        await _h.MeterAsync();

        Assert.Equal([1m, 1m], (await _h.LedgerAsync(Alice)).Where(l => l.Item == LedgerItems.ImageFee).Select(l => l.Amount));
    }

    [Fact]
    public async Task The_vendors_price_is_the_one_at_launch()
    {
        var image = await _h.AddMarketplaceImageAsync("cmjj0006", 1m);
        await LaunchAsync(Alice, image.Id);
        await using (var db = _h.Compute.Database.CreateContext())
        {
            var product = await db.MarketplaceProducts.FindAsync("cmjj0006");
            product!.HourlyPrice = 9m;
            await db.SaveChangesAsync();
        }

        _h.Clock.Advance(TimeSpan.FromHours(1));
        await _h.MeterAsync();
        Assert.Equal(1m, Assert.Single(await _h.LedgerAsync(Alice), l => l.Item == LedgerItems.ImageFee).Amount);
    }

    private async Task<(string InstanceId, DiskEntity SystemDisk)> RunWithDiskAsync(Caller caller, string imageId)
    {
        var instance = await LaunchAsync(caller, imageId);
        return (instance, Assert.Single(await _h.Compute.DisksOfAsync(caller, instance)));
    }
}
