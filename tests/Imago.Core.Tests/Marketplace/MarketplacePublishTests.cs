using Imago.Core.Marketplace;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using static Imago.Core.Tests.Marketplace.MarketplaceHarness;

namespace Imago.Core.Tests.Marketplace;

/// <summary>Publishing (from a file and from a custom image), withdrawing, listing and subscriptions.</summary>
public sealed class MarketplacePublishTests : MarketplaceTestBase
{
    private async Task<List<ImageEntity>> ImagesOfAsync(string imageId)
    {
        await using var db = Market.Env.Database.CreateContext();
        return await db.Images.AsNoTracking().Include(i => i.DiskMappings).Where(i => i.Id == imageId).OrderBy(i => i.RegionId).ToListAsync();
    }

    [Fact]
    public async Task AFilePublishedInTwoRegionsIsOneMarketplaceImageIdWithItsOwnSnapshotsInEach()
    {
        var product = await Market.PublishAsync(Product("cmjj0001", false, Hangzhou, Shanghai), marker: 0x6d);

        Assert.Equal((MarketplaceProductStatuses.Published, "2.1", "Acme Software", 0.089m, 43m, "USD"),
            (product.Status, product.ImageVersion, product.Vendor, product.HourlyPrice, product.MonthlyPrice, product.Currency));
        var images = await ImagesOfAsync(product.ImageId);
        Assert.Equal([Hangzhou, Shanghai], images.Select(i => i.RegionId));
        await using var db = Market.Env.Database.CreateContext();
        foreach (var image in images)
        {
            Assert.Equal((ImageKinds.Marketplace, (long?)null, "cmjj0001", "2.1", ImageStatuses.Available, "shop-in-a-box"),
                (image.Kind, image.OwnerAccountId, image.ProductCode, image.ImageVersion, image.Status, image.Name));
            var snapshotId = Assert.Single(image.DiskMappings).SnapshotId!;
            var snapshot = await db.Snapshots.AsNoTracking().SingleAsync(s => s.Id == snapshotId);
            Assert.Equal((image.RegionId, (long?)null, "cmjj0001", SnapshotStatuses.Accomplished), (snapshot.RegionId, snapshot.AccountId, snapshot.ProductCode, snapshot.Status));
            var bytes = await Market.Copy.ReadAsync(Market.Env.Stores[image.RegionId], snapshotId, (int)MarkerOffset + 1);
            Assert.Equal(0x6d, bytes[^1]);
        }

        Assert.Equal(product.ProductCode, Assert.Single(await Market.Catalog.ListAsync(CancellationToken.None)).ProductCode);
    }

    [Fact]
    public async Task AProductIsPublishedOnlyInItsRegions()
    {
        var product = await Market.PublishAsync(Product("cmjj0002"));
        Assert.Equal([Hangzhou], (await ImagesOfAsync(product.ImageId)).Select(i => i.RegionId));
        Assert.Empty(Market.Env.Stores[Shanghai].ListSnapshots());
    }

    [Theory]
    [InlineData("bad code!", "USD", "2.1", "cn-hangzhou")]
    [InlineData("cmjj0003", "usd", "2.1", "cn-hangzhou")]
    [InlineData("cmjj0003", "USD", "", "cn-hangzhou")]
    [InlineData("cmjj0003", "USD", "2 1", "cn-hangzhou")]
    [InlineData("cmjj0003", "USD", "2.1", "mars-north-1")]
    public async Task AnInvalidDefinitionIsRefusedBeforeAnythingIsWritten(string code, string currency, string version, string region)
    {
        var before = Market.Env.Stores[Hangzhou].ListSnapshots().Count;
        var definition = Product(code, false, region) with { Currency = currency, ImageVersion = version };
        await Assert.ThrowsAsync<MarketplaceException>(() => Market.PublishAsync(definition));
        Assert.Empty(await Market.Catalog.ListAsync(CancellationToken.None));
        Assert.Equal(before, Market.Env.Stores[Hangzhou].ListSnapshots().Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0.0000001)]
    public async Task ANegativeOrTooPrecisePriceIsRefused(double price)
    {
        var definition = Product("cmjj0004") with { HourlyPrice = (decimal)price };
        await Assert.ThrowsAsync<MarketplaceException>(() => Market.PublishAsync(definition));
    }

    [Fact]
    public async Task AProductCodeIsPublishedOnceAndAFailedPublishLeavesNoSnapshot()
    {
        await Market.PublishAsync(Product("cmjj0005"));
        var snapshots = Market.Env.Stores[Hangzhou].ListSnapshots().Count;
        var error = await Assert.ThrowsAsync<MarketplaceException>(() => Market.PublishAsync(Product("cmjj0005")));
        Assert.Contains("exists", error.Message);
        Assert.Equal(snapshots, Market.Env.Stores[Hangzhou].ListSnapshots().Count);
    }

    [Fact]
    public async Task ACustomImagePublishedKeepsItsBytesAfterTheSourceIsGone()
    {
        var snapshot = await Market.Copy.AddStoreSnapshotAsync(Hangzhou, CopyingBytes());
        var source = await Market.Copy.AddCustomImageAsync(Alice.AccountId, [snapshot]);
        var product = await Market.Publisher.PublishFromImageAsync(Product("cmjj0006", false, Hangzhou, Shanghai), Hangzhou, source.Id, CancellationToken.None);

        var images = await ImagesOfAsync(product.ImageId);
        Assert.Equal(2, images.Count);
        Assert.All(images, i => Assert.Equal(("Ubuntu", "UEFI", Hangzhou, source.Id), (i.Platform, i.BootMode, i.SourceRegionId, i.SourceImageId)));
        await Market.Env.Store.DeleteSnapshotAsync(snapshot);
        foreach (var image in images)
        {
            var copied = Assert.Single(image.DiskMappings).SnapshotId!;
            Assert.NotEqual(snapshot, copied);
            Assert.Equal(CopyingBytes(), await Market.Copy.ReadAsync(Market.Env.Stores[image.RegionId], copied, CopyingBytes().Length));
        }
    }

    [Fact]
    public async Task OnlyAnAvailableCustomImageWithoutAProductCanBePublished()
    {
        var snapshot = await Market.Copy.AddStoreSnapshotAsync(Hangzhou, CopyingBytes());
        var derived = await Market.Copy.AddCustomImageAsync(Alice.AccountId, [snapshot], productCode: "other");
        var creating = await Market.Copy.AddCustomImageAsync(Alice.AccountId, [await Market.Copy.AddStoreSnapshotAsync(Hangzhou, CopyingBytes())],
            status: ImageStatuses.Creating);
        foreach (var id in new[] { derived.Id, creating.Id, "m-unknown" })
        {
            await Assert.ThrowsAsync<MarketplaceException>(() =>
                Market.Publisher.PublishFromImageAsync(Product("cmjj0007"), Hangzhou, id, CancellationToken.None));
        }

        Assert.Empty(await Market.Catalog.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task SubscriptionsAreByAccountNameOrIdIdempotentAndOnlyToPublishedProducts()
    {
        await Market.PublishAsync(Product("cmjj0008", true));
        Assert.Equal(Alice.AccountId, await Market.Catalog.SubscribeAsync("alice", "cmjj0008", CancellationToken.None));
        Assert.Equal(Alice.AccountId, await Market.Catalog.SubscribeAsync(Alice.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture), "cmjj0008", CancellationToken.None));
        Assert.Equal([Alice.AccountId], await Market.Catalog.SubscribersAsync("cmjj0008", CancellationToken.None));
        await Assert.ThrowsAsync<MarketplaceException>(() => Market.Catalog.SubscribeAsync("nobody", "cmjj0008", CancellationToken.None));
        await Assert.ThrowsAsync<MarketplaceException>(() => Market.Catalog.SubscribeAsync("bob", "nothing", CancellationToken.None));

        await Market.Catalog.UnsubscribeAsync("alice", "cmjj0008", CancellationToken.None);
        await Market.Catalog.UnsubscribeAsync("alice", "cmjj0008", CancellationToken.None);
        Assert.Empty(await Market.Catalog.SubscribersAsync("cmjj0008", CancellationToken.None));

        var withdrawn = await Market.Catalog.WithdrawAsync("cmjj0008", CancellationToken.None);
        Assert.Equal(MarketplaceProductStatuses.Withdrawn, withdrawn.Status);
        Assert.NotNull(withdrawn.WithdrawnAt);
        Assert.Equal(withdrawn.WithdrawnAt, (await Market.Catalog.WithdrawAsync("cmjj0008", CancellationToken.None)).WithdrawnAt);
        await Assert.ThrowsAsync<MarketplaceException>(() => Market.Catalog.SubscribeAsync("bob", "cmjj0008", CancellationToken.None));
        await Assert.ThrowsAsync<MarketplaceException>(() => Market.Catalog.WithdrawAsync("nothing", CancellationToken.None));
    }

    private static byte[] CopyingBytes() => Copying.CopyHarness.RandomBytes(2, seed: 7);
}
