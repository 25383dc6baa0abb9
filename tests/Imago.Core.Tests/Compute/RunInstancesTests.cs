using Imago.Core.Compute;
using Imago.Core.Errors;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using static Imago.Core.Tests.Compute.ComputeFixture;

namespace Imago.Core.Tests.Compute;

public sealed class RunInstancesTests
{
    [Fact]
    public async Task SystemDiskIsACloneOfTheImageAtTheRequestedSize()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync(marker: 0x5a);

        var instanceId = await f.RunOneAsync(Alice, Launch(image.Id) with { SystemDisk = new SystemDiskOptions(SizeGiB: 40), InstanceName = "web-1" });

        var instance = Assert.Single((await f.Queries.DescribeAsync(Alice, new InstanceFilter { RegionId = Region }, new PageRequest(), default)).Items);
        Assert.Equal(instanceId, instance.Instance.Id);
        Assert.Equal(InstanceStatuses.Running, instance.Instance.Status);
        Assert.Equal("web-1", instance.Instance.Name);
        Assert.Equal(image.Id, instance.Instance.ImageId);
        Assert.Equal("cn-hangzhou-h", instance.Instance.ZoneId);
        Assert.Equal(8, instance.Type!.MemorySize);

        var disk = Assert.Single(await f.DisksOfAsync(Alice, instanceId));
        Assert.Equal(("system", "/dev/xvda", 40, DiskStatuses.InUse), (disk.Type, disk.Device, disk.SizeGiB, disk.Status));
        Assert.Equal(image.Id, disk.ImageId);
        Assert.Equal(image.DiskMappings[0].SnapshotId, disk.SourceSnapshotId);
        Assert.Equal(40L << 30, (await f.Store.GetInfoAsync(Imago.Storage.Metadata.VersionKind.Volume, disk.Id)).Size);
        Assert.All(await f.ReadVolumeAsync(disk.Id, MarkerOffset, 4096), b => Assert.Equal(0x5a, b));
    }

    [Fact]
    public async Task CreateInstanceIsStoppedAndDefaultsFollowTheImage()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync(sizeGiB: 30);

        var instanceId = await f.Instances.CreateInstanceAsync(Alice, Launch(image.Id), default);

        var instance = Assert.Single((await f.Queries.DescribeAsync(Alice, new InstanceFilter { RegionId = Region }, new PageRequest(), default)).Items).Instance;
        Assert.Equal(InstanceStatuses.Stopped, instance.Status);
        Assert.Equal(instanceId, instance.Name);
        Assert.Equal($"iZ{instanceId[2..]}Z", instance.HostName);
        var disk = Assert.Single(await f.DisksOfAsync(Alice, instanceId));
        Assert.Equal(30, disk.SizeGiB); // max(20, image size)
        Assert.Equal(DiskCategories.SystemDefault, disk.Category);
    }

    [Fact]
    public async Task AmountCreatesThatManyInstancesEachWithItsOwnDisks()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();

        var ids = (await f.Instances.RunInstancesAsync(Alice, Launch(image.Id) with { Amount = 3, ZoneId = "cn-hangzhou-j" }, default)).InstanceIds;

        Assert.Equal(3, ids.Distinct().Count());
        foreach (var id in ids)
        {
            var disk = Assert.Single(await f.DisksOfAsync(Alice, id));
            Assert.Equal("cn-hangzhou-j", disk.ZoneId);
            Assert.True(f.Store.VolumeExists(disk.Id));
        }
    }

    [Fact]
    public async Task DataDisksComeFromTheImageFromSnapshotsAndEmpty()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync(dataDisks: [(0x11, 30), (null, 25)]);
        var snapshot = await f.AddSnapshotAsync(Alice, 0x22);

        var instanceId = await f.RunOneAsync(Alice, Launch(image.Id) with
        {
            DataDisks =
            [
                new DataDiskOptions(1, SizeGiB: 50, Category: "cloud_ssd", Device: "/dev/xvdb"),
                new DataDiskOptions(2, SnapshotId: snapshot, DeleteWithInstance: false),
                new DataDiskOptions(3, SizeGiB: 100, DiskName: "scratch"),
            ],
        });

        var disks = (await f.DisksOfAsync(Alice, instanceId)).ToDictionary(d => d.Device);
        Assert.Equal(["/dev/xvda", "/dev/xvdb", "/dev/xvdc", "/dev/xvdd", "/dev/xvde"], disks.Keys.Order());
        Assert.Equal((50, "cloud_ssd", image.Id), (disks["/dev/xvdb"].SizeGiB, disks["/dev/xvdb"].Category, disks["/dev/xvdb"].ImageId));
        Assert.All(await f.ReadVolumeAsync(disks["/dev/xvdb"].Id, MarkerOffset, 4096), b => Assert.Equal(0x11, b));
        Assert.Equal((25, ""), (disks["/dev/xvdc"].SizeGiB, disks["/dev/xvdc"].SourceSnapshotId));
        Assert.All(await f.ReadVolumeAsync(disks["/dev/xvdc"].Id, MarkerOffset, 4096), b => Assert.Equal(0, b));
        Assert.Equal((snapshot, false), (disks["/dev/xvdd"].SourceSnapshotId, disks["/dev/xvdd"].DeleteWithInstance));
        Assert.All(await f.ReadVolumeAsync(disks["/dev/xvdd"].Id, MarkerOffset, 4096), b => Assert.Equal(0x22, b));
        Assert.Equal((100, "scratch", DiskCategories.DataDefault), (disks["/dev/xvde"].SizeGiB, disks["/dev/xvde"].Name, disks["/dev/xvde"].Category));
    }

    [Fact]
    public async Task TagsGoOnTheInstanceAndItsDisksAndFilterDescribeInstances()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();
        var tagged = await f.RunOneAsync(Alice, Launch(image.Id) with { Tags = [new("env", "prod"), new("team", "")], DataDisks = [new(1, SizeGiB: 20)] });
        await f.RunOneAsync(Alice, Launch(image.Id) with { Tags = [new("env", "dev")] });

        var all = new InstanceFilter { RegionId = Region };
        var found = Assert.Single((await f.Queries.DescribeAsync(Alice, all with { Tags = [new("env", "prod")] }, new PageRequest(), default)).Items);
        Assert.Equal(tagged, found.Instance.Id);
        Assert.Equal([new("env", "prod"), new("team", "")], found.Tags);
        Assert.Equal(2, (await f.Queries.DescribeAsync(Alice, all with { Tags = [new("env", "")] }, new PageRequest(), default)).TotalCount);
        var disks = (await f.Disks.DescribeAsync(Alice, new DiskFilter { RegionId = Region, InstanceId = tagged }, new PageRequest(), default)).Items;
        Assert.All(disks, d => Assert.Equal([new("env", "prod"), new("team", "")], d.Tags));
        await AssertError("InvalidTagKey.Malformed", 400, () => f.Instances.RunInstancesAsync(Alice, Launch(image.Id) with { Tags = [new("acs:x", "")] }, default));

        await f.Instances.DeleteInstanceAsync(Alice, Region, tagged, force: true, dryRun: false, default);
        await using var db = f.Database.CreateContext();
        Assert.Equal(2, await db.Tags.CountAsync()); // only the other instance's tag (on it and its system disk) is left
    }

    [Fact]
    public async Task ImageFamilyPicksTheLatestAvailableImage()
    {
        await using var f = await CreateAsync();
        await f.AddImageAsync(family: "web", createdAt: DateTime.UtcNow.AddDays(-2));
        var latest = await f.AddImageAsync(family: "web", kind: ImageKinds.Custom, owner: Alice.AccountId, createdAt: DateTime.UtcNow.AddDays(-1));
        await f.AddImageAsync(family: "web", status: ImageStatuses.Deprecated);
        await f.AddImageAsync(family: "web", kind: ImageKinds.Custom, owner: Bob.AccountId); // newer, but not Alice's

        var instanceId = await f.RunOneAsync(Alice, Launch(null!) with { ImageId = null, ImageFamily = "web" });

        Assert.Equal(latest.Id, Assert.Single(await f.DisksOfAsync(Alice, instanceId)).ImageId);
        await AssertError("InvalidImageFamily.MissingAvailableImage", 400,
            () => f.Instances.RunInstancesAsync(Alice, Launch(null!) with { ImageId = null, ImageFamily = "none" }, default));
    }

    [Fact]
    public async Task SharedAndDeprecatedImagesAreUsableOthersPrivateImagesAreNot()
    {
        await using var f = await CreateAsync();
        var bobs = await f.AddImageAsync(kind: ImageKinds.Custom, owner: Bob.AccountId);
        var deprecated = await f.AddImageAsync(status: ImageStatuses.Deprecated);
        var otherRegion = await f.AddImageAsync(regionId: OtherRegion);

        await AssertError("InvalidImageId.NotFound", 404, () => f.Instances.RunInstancesAsync(Alice, Launch(bobs.Id), default));
        await AssertError("InvalidImageId.NotFound", 404, () => f.Instances.RunInstancesAsync(Alice, Launch(otherRegion.Id), default));
        await f.ShareAsync(bobs, Alice);
        await f.RunOneAsync(Alice, Launch(bobs.Id));
        await f.RunOneAsync(Alice, Launch(deprecated.Id));
    }

    [Theory]
    [InlineData(ImageStatuses.Creating)]
    [InlineData(ImageStatuses.CreateFailed)]
    [InlineData(ImageStatuses.UnAvailable)]
    public async Task ImagesNotYetOrNoLongerUsableAreRefused(string status)
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync(status: status);
        await AssertError("OperationDenied.ImageNotValid", 403, () => f.Instances.RunInstancesAsync(Alice, Launch(image.Id), default));
    }

    [Fact]
    public async Task BadParametersGetTheDocumentedErrorsAndCreateNothing()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync(sizeGiB: 40);
        var arm = await f.AddImageAsync(architecture: "arm64");
        var bobsSnapshot = await f.AddSnapshotAsync(Bob, 0x33);
        var pending = await f.AddSnapshotAsync(Alice, 0x33, status: SnapshotStatuses.Progressing);
        var run = (LaunchRequest r) => f.Instances.RunInstancesAsync(Alice, r, default);

        await AssertError("MissingParameter", 400, () => run(Launch(image.Id) with { InstanceType = null }));
        await AssertError("MissingParameter", 400, () => run(Launch(image.Id) with { ImageId = null }));
        await AssertError("InvalidRegionId.NotFound", 404, () => run(Launch(image.Id) with { RegionId = "eu-central-1" }));
        await AssertError("InvalidInstanceType.ValueNotSupported", 400, () => run(Launch(image.Id, "ecs.nope")));
        await AssertError("ImageNotSupportInstanceType", 403, () => run(Launch(arm.Id)));
        await AssertError("ImageNotSupportInstanceType", 403, () => run(Launch(image.Id, "ecs.g8y.large")));
        await AssertError("InvalidZoneId.NotFound", 404, () => run(Launch(image.Id) with { ZoneId = "cn-shanghai-e" }));
        await AssertError("InvalidParameter", 400, () => run(Launch(image.Id) with { Amount = 101 }));
        await AssertError("InvalidParameter", 400, () => run(Launch(image.Id) with { Amount = 2, MinAmount = 3 }));
        await AssertError("InvalidSystemDiskSize.LessThanImageSize", 404, () => run(Launch(image.Id) with { SystemDisk = new(SizeGiB: 39) }));
        await AssertError("InvalidSystemDiskSize.ValueNotSupported", 400, () => run(Launch(image.Id) with { SystemDisk = new(SizeGiB: 2049) }));
        await AssertError("InvalidSystemDiskCategory.ValueNotSupported", 400, () => run(Launch(image.Id) with { SystemDisk = new(Category: "local_ssd") }));
        await AssertError("InvalidDataDiskCategory.ValueNotSupported", 400, () => run(Launch(image.Id) with { DataDisks = [new(1, SizeGiB: 20, Category: "x")] }));
        await AssertError("InvalidDataDiskSize.ValueNotSupported", 400, () => run(Launch(image.Id) with { DataDisks = [new(1, SizeGiB: 19)] }));
        await AssertError("MissingParameter", 400, () => run(Launch(image.Id) with { DataDisks = [new(1)] }));
        await AssertError("InvalidDataDiskSnapshotId.NotFound", 404, () => run(Launch(image.Id) with { DataDisks = [new(1, SnapshotId: bobsSnapshot)] }));
        await AssertError("InvalidSnapshotId.NotReady", 403, () => run(Launch(image.Id) with { DataDisks = [new(1, SnapshotId: pending)] }));
        await AssertError("InvalidParameter", 400, () => run(Launch(image.Id) with { DataDisks = [new(1, SizeGiB: 20, Device: "/dev/xvdb")] }));
        await AssertError("InvalidParameter", 400, () => run(Launch(image.Id) with
        {
            DataDisks = [.. Enumerable.Range(1, 17).Select(n => new DataDiskOptions(n, SizeGiB: 20))],
        }));
        await AssertError("InvalidInstanceName.Malformed", 400, () => run(Launch(image.Id) with { InstanceName = "http://x" }));
        await AssertError("InvalidParameter", 400, () => run(Launch(image.Id) with { ClientToken = new string('t', 65) }));

        await AssertNothingCreatedAsync(f);
    }

    [Fact]
    public async Task ALargeSystemDiskIsSparseAndUsable()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();

        var instanceId = await f.RunOneAsync(Alice, Launch(image.Id) with { SystemDisk = new(SizeGiB: 500) });

        var disk = Assert.Single(await f.DisksOfAsync(Alice, instanceId));
        Assert.Equal(500, disk.SizeGiB);
        await using (var volume = await f.Store.OpenVolumeAsync(disk.Id))
        {
            Assert.Equal(500L << 30, volume.Size);
            await volume.WriteAsync((500L << 30) - 4096, Enumerable.Repeat((byte)0xcd, 4096).ToArray());
        }

        Assert.All(await f.ReadVolumeAsync(disk.Id, (500L << 30) - 4096, 4096), b => Assert.Equal(0xcd, b));
        Assert.All(await f.ReadVolumeAsync(disk.Id, MarkerOffset, 4096), b => Assert.Equal(0x5a, b));

        // The largest system disk (2 TiB) is as cheap: a handful of tree pages above the image's root.
        var largest = await f.RunOneAsync(Alice, Launch(image.Id) with { SystemDisk = new(SizeGiB: DiskCategories.MaxSystemDiskGiB) });
        var info = await f.Store.GetInfoAsync(Imago.Storage.Metadata.VersionKind.Volume, Assert.Single(await f.DisksOfAsync(Alice, largest)).Id);
        Assert.Equal(2048L << 30, info.Size);
        Assert.True(info.AllocatedChunks <= 16, $"{info.AllocatedChunks} chunks allocated");
    }

    [Fact]
    public async Task DryRunValidatesAndCreatesNothing()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();

        await AssertError("DryRunOperation", 400, () => f.Instances.RunInstancesAsync(Alice, Launch(image.Id) with { DryRun = true }, default));
        await AssertError("InvalidImageId.NotFound", 404, () => f.Instances.RunInstancesAsync(Alice, Launch("m-none") with { DryRun = true }, default));
        await AssertNothingCreatedAsync(f);
    }

    [Fact]
    public async Task AFailureMidwayLeavesNoRowsAndNoVolumes()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync(dataDisks: [(0x11, 20)]);
        var created = 0;
        f.Instances.AfterVolumeCreated = (_, _) => ++created == 5 ? throw new IOException("disk full") : ValueTask.CompletedTask;

        await Assert.ThrowsAsync<IOException>(() => f.Instances.RunInstancesAsync(Alice, Launch(image.Id) with { Amount = 3 }, default));

        Assert.Equal(5, created);
        await AssertNothingCreatedAsync(f);
    }

    [Fact]
    public async Task ClientTokenReplaysTheSameInstancesAndRefusesOtherParameters()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();
        var request = Launch(image.Id) with { Amount = 2, ClientToken = "token-1" };

        var first = await f.Instances.RunInstancesAsync(Alice, request, default);
        var again = await f.Instances.RunInstancesAsync(Alice, request, default);

        Assert.Equal(first.InstanceIds, again.InstanceIds);
        Assert.Equal(2, (await f.Queries.DescribeAsync(Alice, new InstanceFilter { RegionId = Region }, new PageRequest(), default)).TotalCount);
        await AssertError("IdempotentParameterMismatch", 400, () => f.Instances.RunInstancesAsync(Alice, request with { Amount = 1 }, default));
        // Tokens are per account: Bob's same token is a new request.
        Assert.NotEqual(first.InstanceIds, (await f.Instances.RunInstancesAsync(Bob, request, default)).InstanceIds);
    }

    [Fact]
    public async Task ConcurrentRequestsWithOneTokenCreateOneSet()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();
        var request = Launch(image.Id) with { ClientToken = "race" };

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => f.Instances.RunInstancesAsync(Alice, request, default))));

        Assert.Single(results.Select(r => r.InstanceIds[0]).Distinct());
        var disk = Assert.Single((await f.Disks.DescribeAsync(Alice, new DiskFilter { RegionId = Region }, new PageRequest(), default)).Items).Disk;
        Assert.Equal([disk.Id], f.Store.ListVolumes());
    }

    internal static async Task AssertError(string code, int status, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<EcsException>(action);
        Assert.Equal((code, status), (error.Code, error.HttpStatus));
    }

    private static async Task AssertNothingCreatedAsync(ComputeFixture f)
    {
        await using var db = f.Database.CreateContext();
        Assert.Equal(0, await db.Instances.CountAsync());
        Assert.Equal(0, await db.Disks.CountAsync());
        Assert.Empty(f.Store.ListVolumes());
    }
}
