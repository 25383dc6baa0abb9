using Imago.Core.Compute;
using Imago.Core.Copying;
using Imago.Core.Errors;
using Imago.Core.ImageCreation;
using Imago.Core.Images;
using Imago.Core.Snapshots;
using Imago.Data.Entities;
using static Imago.Core.Tests.Marketplace.MarketplaceHarness;

namespace Imago.Core.Tests.Marketplace;

/// <summary>
/// Using Marketplace images and what is derived from them: subscriptions, withdrawal, copying, DescribeImages, and the
/// lineage (ProductCode) through instances, disks, snapshots, CreateImage, CopyImage, sharing and ReplaceSystemDisk.
/// </summary>
public sealed class MarketplaceRulesTests : MarketplaceTestBase
{
    private Task Subscribe(Caller caller, string code) => Market.Catalog.SubscribeAsync(caller.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture), code, CancellationToken.None);

    private Task Withdraw(string code) => Market.Catalog.WithdrawAsync(code, CancellationToken.None);

    [Fact]
    public async Task AProductThatRequiresASubscriptionRefusesLaunchesUntilTheCallerSubscribes()
    {
        var product = await Market.PublishAsync(Product("cmjj1001", requiresSubscription: true));
        var error = await Market.RunRefusedAsync(Alice, product.ImageId);
        Assert.Equal(("ImageNotSubscribed", 403), (error.Code, error.HttpStatus));
        Assert.Equal("ImageNotSubscribed", (await Assert.ThrowsAsync<EcsException>(() =>
            Market.Instances.CreateInstanceAsync(Alice, Launch(product.ImageId), CancellationToken.None))).Code);

        await Subscribe(Alice, "cmjj1001");
        var instanceId = await Market.RunAsync(Alice, product.ImageId);
        Assert.Equal("ImageNotSubscribed", (await Market.RunRefusedAsync(Bob, product.ImageId)).Code); // subscriptions are per account

        await Market.Catalog.UnsubscribeAsync("alice", "cmjj1001", CancellationToken.None);
        Assert.Equal("ImageNotSubscribed", (await Market.RunRefusedAsync(Alice, product.ImageId)).Code);
        Assert.Equal("cmjj1001", (await Market.InstanceAsync(instanceId)).ProductCode); // the running instance goes on
    }

    [Fact]
    public async Task AnOpenProductLaunchesWithoutASubscriptionAndTheInstanceAndItsDisksRecordTheProduct()
    {
        var product = await Market.PublishAsync(Product("cmjj1002"));
        var instanceId = await Market.RunAsync(Alice, product.ImageId);
        var instance = await Market.InstanceAsync(instanceId);
        Assert.Equal((product.ImageId, "cmjj1002"), (instance.ImageId, instance.ProductCode));
        var system = Assert.Single(await Market.DisksAsync(instanceId));
        Assert.Equal((product.ImageId, "cmjj1002"), (system.ImageId, system.ProductCode));
    }

    [Fact]
    public async Task AWithdrawnProductRefusesNewLaunchesOfItsImageAndOfEverythingDerivedButKeepsRunningInstances()
    {
        var product = await Market.PublishAsync(Product("cmjj1003"));
        var instanceId = await Market.RunAsync(Alice, product.ImageId);
        var derived = await Market.ImageOfInstanceAsync(Alice, instanceId);
        await Market.Copy.ShareAsync(derived.Id, Carol.AccountId);

        await Withdraw("cmjj1003");
        foreach (var (caller, imageId) in new[] { (Alice, product.ImageId), (Bob, product.ImageId), (Alice, derived.Id), (Carol, derived.Id) })
        {
            var error = await Market.RunRefusedAsync(caller, imageId);
            Assert.Equal(("ImageRemovedInMarket", 403), (error.Code, error.HttpStatus));
        }

        var instance = await Market.InstanceAsync(instanceId);
        Assert.Equal((InstanceStatuses.Running, "cmjj1003"), (instance.Status, instance.ProductCode));
        var listed = await Market.DescribeAsync(Alice, new ImageQuery { ImageOwnerAlias = "marketplace" });
        Assert.Equal(product.ImageId, Assert.Single(listed.Images).Image.Id); // still described, for the instances that use it
    }

    [Fact]
    public async Task ReplaceSystemDiskFollowsTheRulesAndTheInstanceTakesTheNewImagesProduct()
    {
        var paid = await Market.PublishAsync(Product("cmjj1004", requiresSubscription: true));
        var publicImage = await Market.Env.AddPublicImageAsync("ubuntu_22_04_x64_20G_alibase_20240101.vhd");
        await AddSystemMappingAsync(publicImage.Id);
        var instanceId = await Market.RunAsync(Alice, publicImage.Id);
        await Market.StopAsync(Alice, instanceId);

        var replace = new ReplaceSystemDiskRequest { InstanceId = instanceId, ImageId = paid.ImageId };
        Assert.Equal(("ImageNotSubscribed", 403), await CodeOf(() => Market.Instances.ReplaceSystemDiskAsync(Alice, replace, CancellationToken.None)));
        Assert.Equal("", (await Market.InstanceAsync(instanceId)).ProductCode);

        await Subscribe(Alice, "cmjj1004");
        await Market.Instances.ReplaceSystemDiskAsync(Alice, replace, CancellationToken.None);
        Assert.Equal((paid.ImageId, "cmjj1004"), ((await Market.InstanceAsync(instanceId)).ImageId, (await Market.InstanceAsync(instanceId)).ProductCode));
        Assert.Equal("cmjj1004", Assert.Single(await Market.DisksAsync(instanceId)).ProductCode);

        await Market.Instances.ReplaceSystemDiskAsync(Alice, replace with { ImageId = publicImage.Id }, CancellationToken.None);
        Assert.Equal("", (await Market.InstanceAsync(instanceId)).ProductCode); // the vendor's charge ends with its disk

        await Withdraw("cmjj1004");
        Assert.Equal(("ImageRemovedInMarket", 403), await CodeOf(() => Market.Instances.ReplaceSystemDiskAsync(Alice, replace, CancellationToken.None)));
    }

    [Fact]
    public async Task CreateImageCarriesTheProductAndItsVersionFromAnInstanceAndFromASnapshot()
    {
        var product = await Market.PublishAsync(Product("cmjj1005"));
        var instanceId = await Market.RunAsync(Alice, product.ImageId);
        var image = await Market.ImageOfInstanceAsync(Alice, instanceId);
        Assert.Equal(("cmjj1005", "2.1", ImageKinds.Custom, product.ImageId), (image.ProductCode, image.ImageVersion, image.Kind, image.SourceImageId));
        Assert.Equal("cmjj1005", (await Market.ImageOfInstanceAsync(Alice, instanceId, version: "2.1")).ProductCode);

        var error = await Assert.ThrowsAsync<EcsException>(() => Market.Env.Images.CreateAsync(Alice,
            new CreateImageRequest(Hangzhou, InstanceId: instanceId, ImageVersion: "3.0"), CancellationToken.None));
        Assert.Equal(("InvalidImageVersion.Malformed", 400), (error.Code, error.HttpStatus));

        var systemDisk = Assert.Single(await Market.DisksAsync(instanceId));
        var snapshotId = await Market.Env.Snapshots.CreateAsync(Alice, new CreateSnapshotRequest(Hangzhou, systemDisk.Id), CancellationToken.None);
        await Market.Env.WaitForSnapshotAsync(snapshotId, SnapshotStatuses.Accomplished);
        Assert.Equal("cmjj1005", (await Market.Env.FindSnapshotAsync(snapshotId))!.ProductCode);
        var fromSnapshot = await Market.Env.Images.CreateAsync(Alice, new CreateImageRequest(Hangzhou, SnapshotId: snapshotId), CancellationToken.None);
        await Market.Env.WaitForImageAsync(fromSnapshot, ImageStatuses.Available);
        var created = (await Market.Env.FindImageAsync(fromSnapshot))!;
        Assert.Equal(("cmjj1005", "2.1"), (created.ProductCode, created.ImageVersion));

        // A second generation: an instance of the derived image, and an image of that instance.
        var second = await Market.RunAsync(Alice, image.Id);
        Assert.Equal("cmjj1005", (await Market.InstanceAsync(second)).ProductCode);
        Assert.Equal(("cmjj1005", "2.1"), ((await Market.ImageOfInstanceAsync(Alice, second)) is var g ? (g.ProductCode, g.ImageVersion) : default));
    }

    [Fact]
    public async Task ADataDiskFromASnapshotOfAMarketplaceDiskRecordsTheProduct()
    {
        var product = await Market.PublishAsync(Product("cmjj1006"));
        var instanceId = await Market.RunAsync(Alice, product.ImageId);
        var snapshotId = await Market.Env.Snapshots.CreateAsync(Alice, new CreateSnapshotRequest(Hangzhou, Assert.Single(await Market.DisksAsync(instanceId)).Id),
            CancellationToken.None);
        await Market.Env.WaitForSnapshotAsync(snapshotId, SnapshotStatuses.Accomplished);
        var publicImage = await Market.Env.AddPublicImageAsync("centos_7_9_x64_20G_alibase_20240101.vhd");
        await AddSystemMappingAsync(publicImage.Id);
        var request = Launch(publicImage.Id) with { DataDisks = [new DataDiskOptions(1, SnapshotId: snapshotId)] };
        var other = Assert.Single((await Market.Instances.RunInstancesAsync(Alice, request, CancellationToken.None)).InstanceIds);
        var disks = await Market.DisksAsync(other);
        Assert.Equal(["", "cmjj1006"], disks.Select(d => d.ProductCode));
        Assert.Equal("", (await Market.InstanceAsync(other)).ProductCode); // the instance's product is its system disk's
    }

    [Fact]
    public async Task ASharedDerivedImageFollowsTheProductRulesForTheRecipient()
    {
        var product = await Market.PublishAsync(Product("cmjj1007", requiresSubscription: true));
        await Subscribe(Alice, "cmjj1007");
        var derived = await Market.ImageOfInstanceAsync(Alice, await Market.RunAsync(Alice, product.ImageId));
        await Market.Copy.ShareAsync(derived.Id, Carol.AccountId);

        Assert.Equal("ImageNotSubscribed", (await Market.RunRefusedAsync(Carol, derived.Id)).Code);
        await Subscribe(Carol, "cmjj1007");
        var instanceId = await Market.RunAsync(Carol, derived.Id);
        Assert.Equal((Carol.AccountId, "cmjj1007"), ((await Market.InstanceAsync(instanceId)).AccountId, (await Market.InstanceAsync(instanceId)).ProductCode));
    }

    [Fact]
    public async Task AnImageOfAProductIsCopiedOnlyToRegionsWhereTheProductIsPublished()
    {
        var local = await Market.PublishAsync(Product("cmjj1008"));
        var derived = await Market.ImageOfInstanceAsync(Alice, await Market.RunAsync(Alice, local.ImageId));
        var error = await Assert.ThrowsAsync<EcsException>(() => Market.Copy.Copies.CopyAsync(Alice, new CopyImageRequest(Hangzhou, derived.Id, Shanghai), CancellationToken.None));
        Assert.Equal(("OperationDenied.NotPublished", 403), (error.Code, error.HttpStatus));
        Assert.Equal("OperationDenied.NotPublished", (await Assert.ThrowsAsync<EcsException>(() =>
            Market.Copy.Copies.CopyAsync(Alice, new CopyImageRequest(Hangzhou, local.ImageId, Shanghai), CancellationToken.None))).Code);

        var both = await Market.PublishAsync(Product("cmjj1009", false, Hangzhou, Shanghai));
        var derivedBoth = await Market.ImageOfInstanceAsync(Alice, await Market.RunAsync(Alice, both.ImageId));
        var copy = await Market.Copy.Copies.CopyAsync(Alice, new CopyImageRequest(Hangzhou, derivedBoth.Id, Shanghai), CancellationToken.None);
        await Market.Env.WaitForImageAsync(copy.ImageId, ImageStatuses.Available);
        var copied = (await Market.Env.FindImageAsync(copy.ImageId))!;
        Assert.Equal(("cmjj1009", "2.1"), (copied.ProductCode, copied.ImageVersion));
        Assert.Equal("cmjj1009", (await Market.InstanceAsync(await Market.RunAsync(Alice, copy.ImageId, Shanghai))).ProductCode);
        // The marketplace image itself is already in every region it is published in.
        Assert.Equal("OperationDenied", (await Assert.ThrowsAsync<EcsException>(() =>
            Market.Copy.Copies.CopyAsync(Alice, new CopyImageRequest(Hangzhou, both.ImageId, Shanghai), CancellationToken.None))).Code);
    }

    [Fact]
    public async Task DescribeImagesListsMarketplaceImagesOnlyWhenAskedWithTheCallersSubscription()
    {
        var product = await Market.PublishAsync(Product("cmjj1010", requiresSubscription: true));
        await Subscribe(Alice, "cmjj1010");

        Assert.DoesNotContain((await Market.DescribeAsync(Alice, new ImageQuery { PageSize = 100 })).Images, v => v.Image.Id == product.ImageId);
        var forAlice = Assert.Single((await Market.DescribeAsync(Alice, new ImageQuery { ImageOwnerAlias = "marketplace" })).Images);
        var forBob = Assert.Single((await Market.DescribeAsync(Bob, new ImageQuery { ImageOwnerAlias = "marketplace" })).Images);
        Assert.Equal(("marketplace", true, "cmjj1010", "2.1"), (forAlice.OwnerAlias, forAlice.IsSubscribed, forAlice.Image.ProductCode, forAlice.Image.ImageVersion));
        Assert.False(forBob.IsSubscribed);
        var byId = Assert.Single((await Market.DescribeAsync(Bob, new ImageQuery { ImageIds = [product.ImageId] })).Images);
        Assert.Equal("marketplace", byId.OwnerAlias);
        Assert.Empty((await Market.DescribeAsync(Bob, new ImageQuery { ImageOwnerAlias = "marketplace" }, Shanghai)).Images);

        var derived = await Market.ImageOfInstanceAsync(Alice, await Market.RunAsync(Alice, product.ImageId));
        var own = Assert.Single((await Market.DescribeAsync(Alice, new ImageQuery { ImageOwnerAlias = "self" })).Images);
        Assert.Equal((derived.Id, "self", true, "cmjj1010"), (own.Image.Id, own.OwnerAlias, own.IsSubscribed, own.Image.ProductCode));

        // Isolation: Bob neither sees nor uses Alice's derived image, even subscribed to its product.
        await Subscribe(Bob, "cmjj1010");
        Assert.Empty((await Market.DescribeAsync(Bob, new ImageQuery { ImageIds = [derived.Id] })).Images);
        var notFound = await Market.RunRefusedAsync(Bob, derived.Id);
        Assert.Equal(("InvalidImageId.NotFound", 404), (notFound.Code, notFound.HttpStatus));
    }

    private static async Task<(string, int)> CodeOf(Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<EcsException>(action);
        return (error.Code, error.HttpStatus);
    }

    /// <summary>AddPublicImageAsync makes rows only: give the image a system snapshot so that it launches.</summary>
    private async Task AddSystemMappingAsync(string imageId)
    {
        var snapshot = await Market.Copy.AddStoreSnapshotAsync(Hangzhou, [1, 2, 3]);
        await using var db = Market.Env.Database.CreateContext();
        db.ImageDiskMappings.Add(new ImageDiskMappingEntity { RegionId = Hangzhou, ImageId = imageId, Index = 0, Type = "system", Device = "/dev/xvda", SnapshotId = snapshot, SizeGiB = 20 });
        await db.SaveChangesAsync();
    }
}
