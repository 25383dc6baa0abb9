using Imago.Core.Billing;
using Imago.Core.Tests.Compute;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Billing;

/// <summary>The console's image fees: the ledger's own prices and rules, a month at a time.</summary>
public sealed class ImageFeesTests : IAsyncLifetime
{
    private const decimal GiB = 1L << 30;
    private BillingHarness _h = null!;

    public async Task InitializeAsync() => _h = await BillingHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private ImageFees Fees => new(_h.Compute.Database, _h.Prices);

    [Fact]
    public async Task The_owner_pays_a_month_of_its_snapshots_capacity_the_recipient_of_a_share_pays_none()
    {
        var publicImage = await _h.Compute.AddImageAsync();
        var instance = await _h.Compute.RunOneAsync(BillingHarness.Alice, ComputeFixture.Launch(publicImage.Id));
        var disk = Assert.Single(await _h.Compute.DisksOfAsync(BillingHarness.Alice, instance));
        var snapshot = await _h.SnapshotAsync(BillingHarness.Alice, disk.Id);
        var mapped = await _h.ImageOfSnapshotAsync(BillingHarness.Alice, snapshot.Id);
        await using var db = _h.Compute.Database.CreateContext();
        var image = await db.Images.AsNoTracking().Include(i => i.DiskMappings).SingleAsync(i => i.Id == mapped.Id); // the mapping as stored

        var owner = await Fees.QuoteAsync(BillingHarness.Alice, image, CancellationToken.None);
        var fee = Assert.Single(owner.Snapshots);
        Assert.Equal(snapshot.Id, fee.SnapshotId);
        Assert.Equal(snapshot.StoredBytes, fee.StoredBytes);
        Assert.Equal(BillingHarness.HangzhouSnapshotGiBMonth, owner.PerGiBMonth);
        Assert.Equal(Math.Round(snapshot.StoredBytes / GiB * BillingHarness.HangzhouSnapshotGiBMonth, 12), fee.Month.Amount);
        Assert.Equal(fee.Month.Amount, owner.SnapshotMonth);
        Assert.Null(owner.Vendor);

        var recipient = await Fees.QuoteAsync(BillingHarness.Bob, image, CancellationToken.None);
        Assert.Empty(recipient.Snapshots);
        Assert.Equal(0m, recipient.SnapshotMonth);
    }

    [Fact]
    public async Task A_marketplace_image_shows_the_vendors_hourly_price_and_a_month_of_it()
    {
        var marketplace = await _h.AddMarketplaceImageAsync("cmjj0fee", 0.3m);

        var quote = await Fees.QuoteAsync(BillingHarness.Alice, marketplace, CancellationToken.None);

        var vendor = Assert.IsType<VendorFee>(quote.Vendor);
        Assert.Equal("cmjj0fee", vendor.ProductCode);
        Assert.Equal(0.3m, vendor.HourlyPrice);
        Assert.Equal(0.3m * BillingHarness.HoursPerMonth, vendor.Month.Amount);
    }
}
