using Imago.Api.Tests.Infrastructure;
using System.Text.Json.Nodes;
using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;
using Imago.Serve;
using Microsoft.EntityFrameworkCore;

namespace Imago.Api.Tests.Marketplace;

/// <summary><c>imago admin marketplace ...</c> on a data directory of its own (publish needs the service stopped).</summary>
public sealed class MarketplaceAdminTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    private Task<(int ExitCode, string Out, string Error)> Imago(params string[] args) => ImagoCommand.RunAsync(_data.Path, args);

    private static string[] Publish(string code, params string[] extra) =>
        ["admin", "marketplace", "publish", "--product-code", code, "--name", "shop-box", "--vendor", "Acme", "--version", "1.0", "--json", .. extra];

    /// <summary>A 64 MiB qcow2 with a written range: a real file for the format engine.</summary>
    private string QcowImage(string pattern)
    {
        var path = _data.File($"shop-{Guid.NewGuid():N}.qcow2");
        QemuImg.Create(path, "qcow2", 64L * 1024 * 1024);
        QemuImg.IoCommands(path, "qcow2", $"write -P {pattern} 1M 64k");
        return path;
    }

    private async Task<ImagoDatabase> DatabaseAsync() => await DatabaseOpener.OpenAsync(_data.Path, null, CancellationToken.None);

    [Fact]
    public async Task PublishImportsTheFileIntoEachRegionAndListShowsTheProduct()
    {
        Assert.Contains("no Imago database", (await Imago(Publish("cmjj01", QcowImage("0x11")))).Error);
        Assert.Equal(0, (await Imago("admin", "account", "create", "alice")).ExitCode);

        var result = await Imago(Publish("cmjj01", QcowImage("0x11"), "--regions", "cn-hangzhou,cn-shanghai", "--hourly-price", "0.5",
            "--monthly-price", "120", "--currency", "EUR", "--requires-subscription", "--platform", "Ubuntu", "--boot-mode", "uefi"));
        Assert.True(result.ExitCode == 0, result.Error);
        var product = JsonNode.Parse(result.Out)!;
        var imageId = product["ImageId"]!.GetValue<string>();
        Assert.Equal(("0.5", "120", "EUR", "Published"), (product["HourlyPrice"]!.GetValue<string>(), product["MonthlyPrice"]!.GetValue<string>(),
            product["Currency"]!.GetValue<string>(), product["Status"]!.GetValue<string>()));

        var database = await DatabaseAsync();
        await using (var db = database.CreateContext())
        {
            var images = await db.Images.Include(i => i.DiskMappings).Where(i => i.Id == imageId).OrderBy(i => i.RegionId).ToListAsync();
            Assert.Equal(["cn-hangzhou", "cn-shanghai"], images.Select(i => i.RegionId));
            Assert.All(images, i => Assert.Equal((ImageKinds.Marketplace, "cmjj01", "1.0", "Ubuntu", "UEFI", 1), (i.Kind, i.ProductCode, i.ImageVersion, i.Platform, i.BootMode, i.SizeGiB)));
        }

        var list = await Imago("admin", "marketplace", "list");
        Assert.Contains("cmjj01\t" + imageId + "\tPublished\t1.0\t0.5 EUR/h\t120 EUR/month\tsubscription\tcn-hangzhou,cn-shanghai\tAcme\tshop-box", list.Out);

        var subscribed = await Imago("admin", "marketplace", "subscribe", "cmjj01", "alice");
        Assert.True(subscribed.ExitCode == 0, subscribed.Error);
        Assert.EndsWith("\tSubscribed", subscribed.Out.Trim());
        Assert.EndsWith("\tUnsubscribed", (await Imago("admin", "marketplace", "unsubscribe", "cmjj01", "alice")).Out.Trim());
        var withdrawn = JsonNode.Parse((await Imago("admin", "marketplace", "withdraw", "cmjj01", "--json")).Out)!;
        Assert.Equal("Withdrawn", withdrawn["Status"]!.GetValue<string>());
        Assert.NotEqual(0, (await Imago("admin", "marketplace", "subscribe", "cmjj01", "alice")).ExitCode);

        var again = await Imago(Publish("cmjj01", QcowImage("0x12"), "--regions", "cn-hangzhou"));
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("exists", again.Error);
    }

    [Theory]
    [InlineData("--hourly-price", "cheap")]
    [InlineData("--hourly-price", "-1")]
    [InlineData("--currency", "dollars")]
    [InlineData("--regions", "mars-north-1")]
    [InlineData("--format", "iso")]
    [InlineData("--architecture", "sparc")]
    [InlineData("--version", "1 0")]
    [InlineData("--from-image", "m-without-region")]
    public async Task ABadOptionIsAUsageErrorAndPublishesNothing(string option, string value)
    {
        await Imago("admin", "account", "create", "alice");
        var file = QcowImage("0x21");
        string[] args = option == "--from-image" ? Publish("cmjj02", option, value) : Publish("cmjj02", file, option, value);
        var result = await Imago(args);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(option, result.Error);
        Assert.Equal("[]", (await Imago("admin", "marketplace", "list", "--json")).Out.Trim());
    }

    [Fact]
    public async Task PublishTakesAFileOrAnImageNeverBothOrNeither()
    {
        await Imago("admin", "account", "create", "alice");
        var file = QcowImage("0x31");
        Assert.Contains("usage", (await Imago(Publish("cmjj03"))).Error);
        Assert.Contains("usage", (await Imago(Publish("cmjj03", file, "--from-image", "cn-hangzhou:m-x"))).Error);
        Assert.Contains("--product-code", (await Imago("admin", "marketplace", "publish", file, "--name", "a1", "--vendor", "v", "--version", "1")).Error);
    }

    [Fact]
    public async Task PublishFromACustomImageCopiesItsSnapshotsIntoThePublishedRegions()
    {
        await Imago("admin", "account", "create", "alice");
        var regions = new RegionCatalog(RegionCatalog.DefaultRegionIds);
        var database = await DatabaseAsync();
        const string sourceId = "m-bpsource0000000001";
        var snapshotId = global::Imago.Core.Ids.ResourceIds.NewSnapshotId("cn-hangzhou");
        await using (var stores = await RegionStores.OpenAsync(_data.Path, regions))
        {
            var store = stores["cn-hangzhou"];
            await store.CreateVolumeAsync("d-scratch", 8L << 20);
            await using (var volume = await store.OpenVolumeAsync("d-scratch"))
            {
                await volume.WriteAsync(0, Enumerable.Repeat((byte)0x42, 4096).ToArray());
            }

            await store.SnapshotAsync("d-scratch", snapshotId);
            await store.DeleteVolumeAsync("d-scratch");
        }

        await using (var db = database.CreateContext())
        {
            var owner = await db.Accounts.Select(a => a.Id).SingleAsync();
            db.Images.Add(new ImageEntity
            {
                RegionId = "cn-hangzhou", Id = sourceId, OwnerAccountId = owner, Kind = ImageKinds.Custom, Name = "source", Status = ImageStatuses.Available,
                Progress = 100, SizeGiB = 1, Platform = "Debian", CreatedAt = DateTime.UtcNow,
                DiskMappings = [new ImageDiskMappingEntity { RegionId = "cn-hangzhou", ImageId = sourceId, Index = 0, Type = "system", Device = "/dev/xvda", SnapshotId = snapshotId, SizeGiB = 1 }],
            });
            await db.SaveChangesAsync();
        }

        var result = await Imago(Publish("cmjj04", "--from-image", "cn-hangzhou:" + sourceId, "--regions", "cn-shanghai"));
        Assert.True(result.ExitCode == 0, result.Error);
        var imageId = JsonNode.Parse(result.Out)!["ImageId"]!.GetValue<string>();
        await using (var db = database.CreateContext())
        {
            var image = await db.Images.Include(i => i.DiskMappings).SingleAsync(i => i.Id == imageId);
            Assert.Equal(("cn-shanghai", "Debian", sourceId), (image.RegionId, image.Platform, image.SourceImageId));
            var copied = Assert.Single(image.DiskMappings).SnapshotId!;
            await using var stores = await RegionStores.OpenAsync(_data.Path, regions);
            await using var device = await stores["cn-shanghai"].OpenSnapshotAsync(copied);
            var buffer = new byte[4096];
            await device.ReadAsync(0, buffer);
            Assert.All(buffer, b => Assert.Equal(0x42, b));
        }

        Assert.Contains("not an Available custom image", (await Imago(Publish("cmjj05", "--from-image", "cn-shanghai:" + imageId))).Error);
    }
}
