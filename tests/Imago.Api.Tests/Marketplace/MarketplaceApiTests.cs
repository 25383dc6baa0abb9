using System.Globalization;
using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;
using Imago.Core.Marketplace;
using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Formats.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Marketplace;

/// <summary>
/// The image market over HTTP, as an SDK user meets it: products published and subscribed with the admin command,
/// DescribeImages' marketplace view, every documented refusal, and the ProductCode lineage through instances, disks,
/// snapshots, CreateImage, sharing, CopyImage and ReplaceSystemDisk.
/// </summary>
public sealed class MarketplaceApiTests(ImagoServer server) : IClassFixture<ImagoServer>, IDisposable
{
    private const string OtherRegion = "cn-shanghai";
    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    private sealed record Party(EcsClient Client, string Name, string AccountId);

    private async Task<Party> PartyAsync()
    {
        var name = "mk-" + Guid.NewGuid().ToString("N")[..10];
        var account = await server.CreateAccountAsync(name);
        return new Party(new EcsClient(server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret), name,
            account.AccountId.ToString(CultureInfo.InvariantCulture));
    }

    private static string NewCode() => "cmjj" + Guid.NewGuid().ToString("N")[..10];

    private async Task<string> RawFileAsync(byte marker)
    {
        var path = Path.Combine(_files.Path, $"{Guid.NewGuid():N}.raw");
        var bytes = new byte[4 << 20];
        Array.Fill(bytes, marker, (int)MarkerOffset, 4096);
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    /// <summary>Publishes through the Core publisher on the running server's stores (the admin command needs the service stopped).</summary>
    private async Task<MarketplaceProductEntityView> PublishAsync(string code, bool requiresSubscription, params string[] regions)
    {
        var publisher = new MarketplacePublisher(server.GetRequiredService<ImagoDatabase>(), server.GetRequiredService<RegionStores>(),
            server.GetRequiredService<RegionCatalog>(), TimeProvider.System);
        var product = await publisher.PublishFromFileAsync(
            new ProductDefinition(code, "shop-in-a-box", "Acme", "3.2", "", regions.Length > 0 ? regions : [Region], 0.1m, 30m, "USD", requiresSubscription),
            await RawFileAsync(0x6d), null, ProductImageAttributes.Default, null, CancellationToken.None);
        return new MarketplaceProductEntityView(product.ProductCode, product.ImageId);
    }

    private sealed record MarketplaceProductEntityView(string ProductCode, string ImageId);

    private async Task<(int ExitCode, string Out, string Error)> AdminAsync(params string[] args)
    {
        var result = await server.RunImagoAsync(["admin", "marketplace", .. args]);
        return result;
    }

    private static async Task<JsonNode[]> ImagesAsync(Party caller, string region = Region, params (string Key, string Value)[] extra)
    {
        var body = await caller.Client.CallOkAsync("DescribeImages", Params([("RegionId", region), ("PageSize", "100"), .. extra]));
        return [.. body["Images"]!["Image"]!.AsArray().Select(i => i!)];
    }

    private static Task<EcsResponse> RunAsync(Party caller, string imageId, string region = Region) =>
        caller.Client.CallAsync("RunInstances", Params(("RegionId", region), ("ImageId", imageId), ("InstanceType", "ecs.g7.large")));

    private static async Task<string> ImageOfInstanceAsync(Party caller, string instanceId)
    {
        var image = Text(await caller.Client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId))), "ImageId");
        Assert.Equal("Available", Text(await WaitForImageAsync(caller.Client, image), "Status"));
        return image;
    }

    [Fact]
    public async Task TheAdminCommandPublishesWhileStoppedAndSubscribesAndWithdrawsWhileRunning()
    {
        var code = NewCode();
        var file = await RawFileAsync(0x4d);
        (int ExitCode, string Out, string Error) published = default;
        await server.RestartAsync(async () => published = await AdminAsync("publish", file, "--product-code", code, "--name", "admin-shop",
            "--vendor", "Acme Inc", "--version", "1.0", "--regions", "cn-hangzhou,cn-shanghai", "--hourly-price", "0.25", "--monthly-price", "99.5",
            "--currency", "EUR", "--requires-subscription", "--json"));
        Assert.True(published.ExitCode == 0, published.Error);
        var product = JsonNode.Parse(published.Out!)!;
        Assert.Equal((code, "Published", "0.25", "99.5", "EUR", true), (Text(product, "ProductCode"), Text(product, "Status"), Text(product, "HourlyPrice"),
            Text(product, "MonthlyPrice"), Text(product, "Currency"), product["RequiresSubscription"]!.GetValue<bool>()));
        var imageId = Text(product, "ImageId");

        var alice = await PartyAsync();
        foreach (var region in new[] { Region, OtherRegion })
        {
            var listed = Assert.Single(await ImagesAsync(alice, region, ("ImageOwnerAlias", "marketplace")), i => Text(i, "ImageId") == imageId);
            Assert.Equal(("marketplace", code, "1.0", false, "admin-shop"), (Text(listed, "ImageOwnerAlias"), Text(listed, "ProductCode"),
                Text(listed, "ImageVersion"), listed["IsSubscribed"]!.GetValue<bool>(), Text(listed, "ImageName")));
        }

        (await RunAsync(alice, imageId)).AssertError("ImageNotSubscribed", 403);
        var subscribed = await AdminAsync("subscribe", code, alice.Name);
        Assert.True(subscribed.ExitCode == 0, subscribed.Error);
        Assert.Contains(alice.AccountId, subscribed.Out);
        Assert.True(Assert.Single(await ImagesAsync(alice, Region, ("ImageId", imageId)))["IsSubscribed"]!.GetValue<bool>());
        var instanceId = await RunInstanceAsync(alice.Client, imageId);

        Assert.Equal(0, (await AdminAsync("withdraw", code)).ExitCode);
        (await RunAsync(alice, imageId)).AssertError("ImageRemovedInMarket", 403);
        var listedProducts = await AdminAsync("list", "--json");
        Assert.Equal("Withdrawn", Text(JsonNode.Parse(listedProducts.Out)!.AsArray().Single(p => Text(p!, "ProductCode") == code)!, "Status"));
        var instance = (await alice.Client.CallOkAsync("DescribeInstances", Params(("RegionId", Region))))["Instances"]!["Instance"]!.AsArray()
            .Single(i => Text(i!, "InstanceId") == instanceId)!;
        Assert.Equal("Running", Text(instance, "Status"));

        Assert.NotEqual(0, (await AdminAsync("subscribe", code, "no-such-account")).ExitCode);
        Assert.NotEqual(0, (await AdminAsync("withdraw", "no-such-product")).ExitCode);
        var whileRunning = await AdminAsync("publish", file, "--product-code", NewCode(), "--name", "x1", "--vendor", "v", "--version", "1");
        Assert.NotEqual(0, whileRunning.ExitCode); // publishing writes the stores: serve must be stopped
        Assert.Contains("in use", whileRunning.Error);
    }

    [Fact]
    public async Task MarketplaceImagesAreLeftOutByDefaultAndShownWhenAskedOrNamed()
    {
        var product = await PublishAsync(NewCode(), requiresSubscription: false);
        var bob = await PartyAsync();
        Assert.DoesNotContain(await ImagesAsync(bob), i => Text(i, "ImageId") == product.ImageId);
        Assert.DoesNotContain(await ImagesAsync(bob, Region, ("ImageOwnerAlias", "system")), i => Text(i, "ImageId") == product.ImageId);
        var named = Assert.Single(await ImagesAsync(bob, Region, ("ImageId", product.ImageId)));
        Assert.Equal(("marketplace", true, false), (Text(named, "ImageOwnerAlias"), named["IsPublic"]!.GetValue<bool>(), named["IsSubscribed"]!.GetValue<bool>()));
        Assert.Null(named["ImageOwnerId"]);
        Assert.Empty(await ImagesAsync(bob, OtherRegion, ("ImageId", product.ImageId)));
    }

    [Fact]
    public async Task TheProductCodeFollowsInstancesDisksSnapshotsImagesSharesAndCopies()
    {
        var product = await PublishAsync(NewCode(), requiresSubscription: true, Region, OtherRegion);
        var alice = await PartyAsync();
        var carol = await PartyAsync();
        await AdminAsync("subscribe", product.ProductCode, alice.Name);
        var instanceId = await RunInstanceAsync(alice.Client, product.ImageId);
        var system = Assert.Single(await DisksAsync(alice.Client, instanceId));
        Assert.Equal((product.ProductCode, product.ImageId), (Text(system, "ProductCode"), Text(system, "ImageId")));

        var snapshotId = Text(await alice.Client.CallOkAsync("CreateSnapshot", Params(("DiskId", Text(system, "DiskId")))), "SnapshotId");
        Assert.Equal(product.ProductCode, Text(await WaitForSnapshotAsync(alice.Client, snapshotId), "ProductCode"));

        var derived = await ImageOfInstanceAsync(alice, instanceId);
        var view = (await ImageAsync(alice.Client, derived))!;
        Assert.Equal(("self", product.ProductCode, "3.2", true), (Text(view, "ImageOwnerAlias"), Text(view, "ProductCode"), Text(view, "ImageVersion"),
            view["IsSubscribed"]!.GetValue<bool>()));
        (await alice.Client.CallAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId), ("ImageVersion", "9.9"))))
            .AssertError("InvalidImageVersion.Malformed", 400);

        // Shared: the recipient sees the ProductCode and needs its own subscription.
        await alice.Client.CallOkAsync("ModifyImageSharePermission", Params(("RegionId", Region), ("ImageId", derived), ("AddAccount.1", carol.AccountId)));
        var shared = Assert.Single(await ImagesAsync(carol, Region, ("ImageId", derived)));
        Assert.Equal(("others", product.ProductCode, false), (Text(shared, "ImageOwnerAlias"), Text(shared, "ProductCode"), shared["IsSubscribed"]!.GetValue<bool>()));
        (await RunAsync(carol, derived)).AssertError("ImageNotSubscribed", 403);
        await AdminAsync("subscribe", product.ProductCode, carol.AccountId);
        var carolInstance = await RunInstanceAsync(carol.Client, derived);
        Assert.Equal(product.ProductCode, Text(Assert.Single(await DisksAsync(carol.Client, carolInstance)), "ProductCode"));

        // Copied to a region where the product is published: the copy carries it.
        var copy = Text(await alice.Client.CallOkAsync("CopyImage", Params(("RegionId", Region), ("ImageId", derived), ("DestinationRegionId", OtherRegion))), "ImageId");
        JsonNode? copied = null;
        for (var i = 0; i < 400 && (copied is null || Text(copied, "Status") != "Available"); i++)
        {
            await Task.Delay(50);
            copied = (await ImagesAsync(alice, OtherRegion, ("ImageId", copy), ("Status", "Waiting,Creating,Available,CreateFailed"))).SingleOrDefault();
        }

        Assert.Equal(("Available", product.ProductCode), (Text(copied!, "Status"), Text(copied!, "ProductCode")));
    }

    [Fact]
    public async Task CopyingToARegionWithoutTheProductIsNotPublished()
    {
        var product = await PublishAsync(NewCode(), requiresSubscription: false);
        var alice = await PartyAsync();
        var derived = await ImageOfInstanceAsync(alice, await RunInstanceAsync(alice.Client, product.ImageId));
        (await alice.Client.CallAsync("CopyImage", Params(("RegionId", Region), ("ImageId", derived), ("DestinationRegionId", OtherRegion))))
            .AssertError("OperationDenied.NotPublished", 403);
        (await alice.Client.CallAsync("CopyImage", Params(("RegionId", Region), ("ImageId", product.ImageId), ("DestinationRegionId", OtherRegion))))
            .AssertError("OperationDenied.NotPublished", 403);
        Assert.Empty(await ImagesAsync(alice, OtherRegion, ("ImageOwnerAlias", "self")));
    }

    [Fact]
    public async Task ReplaceSystemDiskChecksTheProductAndMovesTheInstancesProductCode()
    {
        var product = await PublishAsync(NewCode(), requiresSubscription: true);
        var alice = await PartyAsync();
        var instanceId = await RunInstanceAsync(alice.Client, await AddImageAsync(server, 0x21));
        await alice.Client.CallOkAsync("StopInstance", Params(("InstanceId", instanceId)));
        var replace = Params(("RegionId", Region), ("InstanceId", instanceId), ("ImageId", product.ImageId));

        (await alice.Client.CallAsync("ReplaceSystemDisk", replace)).AssertError("ImageNotSubscribed", 403);
        await AdminAsync("subscribe", product.ProductCode, alice.Name);
        await alice.Client.CallOkAsync("ReplaceSystemDisk", replace);
        var system = Assert.Single(await DisksAsync(alice.Client, instanceId));
        Assert.Equal((product.ImageId, product.ProductCode), (Text(system, "ImageId"), Text(system, "ProductCode")));

        await AdminAsync("withdraw", product.ProductCode);
        (await alice.Client.CallAsync("ReplaceSystemDisk", replace)).AssertError("ImageRemovedInMarket", 403);
    }
}
