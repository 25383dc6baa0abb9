using Imago.Core.Compute;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using static Imago.Core.Tests.Compute.ComputeFixture;
using static Imago.Core.Tests.Compute.RunInstancesTests;

namespace Imago.Core.Tests.Compute;

public sealed class InstanceLifecycleTests
{
    [Fact]
    public async Task StartAndStopFollowTheStatus()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();
        var instanceId = await f.RunOneAsync(Alice, Launch(image.Id));

        await AssertError("IncorrectInstanceStatus", 403, () => f.Instances.StartInstanceAsync(Alice, Region, instanceId, false, default));
        await AssertError("DryRunOperation", 400, () => f.Instances.StopInstanceAsync(Alice, Region, instanceId, true, default));
        await f.Instances.StopInstanceAsync(Alice, null, instanceId, false, default);
        Assert.Equal(InstanceStatuses.Stopped, await StatusAsync(f, instanceId));
        await AssertError("IncorrectInstanceStatus", 403, () => f.Instances.StopInstanceAsync(Alice, Region, instanceId, false, default));
        await f.Instances.StartInstanceAsync(Alice, Region, instanceId, false, default);
        Assert.Equal(InstanceStatuses.Running, await StatusAsync(f, instanceId));
        await AssertError("InvalidInstanceId.NotFound", 404, () => f.Instances.StopInstanceAsync(Alice, OtherRegion, instanceId, false, default));
    }

    [Fact]
    public async Task DeleteNeedsStoppedOrForceAndKeepsDisksNotDeletedWithTheInstance()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();
        var instanceId = await f.RunOneAsync(Alice, Launch(image.Id) with
        {
            DataDisks = [new DataDiskOptions(1, SizeGiB: 20), new DataDiskOptions(2, SizeGiB: 30, DeleteWithInstance: false)],
        });
        var disks = await f.DisksOfAsync(Alice, instanceId);

        await AssertError("IncorrectInstanceStatus", 403, () => f.Instances.DeleteInstanceAsync(Alice, Region, instanceId, false, false, default));
        await f.Instances.StopInstanceAsync(Alice, Region, instanceId, false, default);
        await f.Instances.DeleteInstanceAsync(Alice, null, instanceId, false, false, default);

        Assert.Empty((await f.Queries.DescribeAsync(Alice, new InstanceFilter { RegionId = Region }, new PageRequest(), default)).Items);
        var kept = Assert.Single((await f.Disks.DescribeAsync(Alice, new DiskFilter { RegionId = Region }, new PageRequest(), default)).Items).Disk;
        Assert.Equal((30, DiskStatuses.Available, null, ""), (kept.SizeGiB, kept.Status, kept.InstanceId, kept.Device));
        Assert.Equal([kept.Id], f.Store.ListVolumes());
        Assert.All(disks.Where(d => d.Id != kept.Id), d => Assert.False(f.Store.VolumeExists(d.Id)));
        await AssertError("InvalidInstanceId.NotFound", 404, () => f.Instances.DeleteInstanceAsync(Alice, Region, instanceId, true, false, default));

        // The detached disk can be deleted on its own, by its owner only.
        await AssertError("InvalidDiskId.NotFound", 404, () => f.Disks.DeleteAsync(Bob, kept.Id, default));
        await f.Disks.DeleteAsync(Alice, kept.Id, default);
        Assert.Empty(f.Store.ListVolumes());
        await AssertError("InvalidDiskId.NotFound", 404, () => f.Disks.DeleteAsync(Alice, kept.Id, default));
    }

    [Fact]
    public async Task ConcurrentChangesToOneInstanceNeverBothWin()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();
        var instanceId = await f.RunOneAsync(Alice, Launch(image.Id));

        var stops = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            try
            {
                await f.Instances.StopInstanceAsync(Alice, Region, instanceId, false, default);
                return "ok";
            }
            catch (Errors.EcsException e)
            {
                return e.Code;
            }
        })));

        Assert.Single(stops, s => s == "ok");
        Assert.All(stops.Where(s => s != "ok"), s => Assert.Contains(s, new[] { "IncorrectInstanceStatus", "OperationConflict" }));
        Assert.Equal(InstanceStatuses.Stopped, await StatusAsync(f, instanceId));
    }

    [Fact]
    public async Task AnAttachedDiskCannotBeDeletedAlone()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();
        var instanceId = await f.RunOneAsync(Alice, Launch(image.Id));
        var disk = Assert.Single(await f.DisksOfAsync(Alice, instanceId));

        await AssertError("IncorrectDiskStatus", 403, () => f.Disks.DeleteAsync(Alice, disk.Id, default));
        Assert.True(f.Store.VolumeExists(disk.Id));
    }

    [Fact]
    public async Task ReplaceSystemDiskClonesTheNewImageAndDropsTheOldDisk()
    {
        await using var f = await CreateAsync();
        var first = await f.AddImageAsync(marker: 0x11);
        var second = await f.AddImageAsync(marker: 0x22, sizeGiB: 30, kind: ImageKinds.Custom, owner: Alice.AccountId);
        var withData = await f.AddImageAsync(dataDisks: [(0x33, 20)]);
        var arm = await f.AddImageAsync(architecture: "arm64");
        var instanceId = await f.RunOneAsync(Alice, Launch(first.Id) with { SystemDisk = new(SizeGiB: 25) });
        var old = Assert.Single(await f.DisksOfAsync(Alice, instanceId));
        var replace = (ReplaceSystemDiskRequest r) => f.Instances.ReplaceSystemDiskAsync(Alice, r, default);
        var request = new ReplaceSystemDiskRequest { InstanceId = instanceId, ImageId = second.Id };

        await AssertError("IncorrectInstanceStatus", 403, () => replace(request));
        await f.Instances.StopInstanceAsync(Alice, Region, instanceId, false, default);
        await AssertError("OperationDenied", 400, () => replace(request with { ImageId = withData.Id }));
        await AssertError("ImageNotSupportInstanceType", 403, () => replace(request with { ImageId = arm.Id }));
        await AssertError("InvalidImageId.NotFound", 404, () => replace(request with { ImageId = "m-none" }));
        await AssertError("InvalidSystemDiskSize.LessThanImageSize", 404, () => replace(request with { SizeGiB = 29 }));
        Assert.Equal([old.Id], f.Store.ListVolumes());

        var newDiskId = await replace(request with { ClientToken = "replace-1" });
        Assert.Equal(newDiskId, await replace(request with { ClientToken = "replace-1" }));

        var disk = Assert.Single(await f.DisksOfAsync(Alice, instanceId));
        Assert.Equal((newDiskId, "system", "/dev/xvda", 30, second.Id), (disk.Id, disk.Type, disk.Device, disk.SizeGiB, disk.ImageId));
        Assert.Equal([newDiskId], f.Store.ListVolumes());
        Assert.All(await f.ReadVolumeAsync(newDiskId, MarkerOffset, 4096), b => Assert.Equal(0x22, b));
        var instance = Assert.Single((await f.Queries.DescribeAsync(Alice, new InstanceFilter { RegionId = Region }, new PageRequest(), default)).Items);
        Assert.Equal(second.Id, instance.Instance.ImageId);
    }

    [Fact]
    public async Task AnotherAccountsInstanceAnswersLikeAMissingOne()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();
        var instanceId = await f.RunOneAsync(Alice, Launch(image.Id));
        var disk = Assert.Single(await f.DisksOfAsync(Alice, instanceId));

        await AssertError("InvalidInstanceId.NotFound", 404, () => f.Instances.StopInstanceAsync(Bob, Region, instanceId, false, default));
        await AssertError("InvalidInstanceId.NotFound", 404, () => f.Instances.StartInstanceAsync(Bob, null, instanceId, false, default));
        await AssertError("InvalidInstanceId.NotFound", 404, () => f.Instances.DeleteInstanceAsync(Bob, Region, instanceId, true, false, default));
        await AssertError("InvalidInstanceId.NotFound", 404,
            () => f.Instances.ReplaceSystemDiskAsync(Bob, new() { InstanceId = instanceId, ImageId = image.Id }, default));
        Assert.Empty((await f.Queries.DescribeAsync(Bob, new InstanceFilter { RegionId = Region, InstanceIds = [instanceId] }, new PageRequest(), default)).Items);
        Assert.Empty((await f.Disks.DescribeAsync(Bob, new DiskFilter { RegionId = Region, DiskIds = [disk.Id] }, new PageRequest(), default)).Items);
        Assert.Equal(InstanceStatuses.Running, await StatusAsync(f, instanceId));
    }

    [Fact]
    public async Task DescribeFiltersAndPages()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();
        var other = await f.AddImageAsync();
        var ids = (await f.Instances.RunInstancesAsync(Alice, Launch(image.Id) with { Amount = 5, InstanceName = "web_a" }, default)).InstanceIds;
        var lone = await f.Instances.CreateInstanceAsync(Alice, Launch(other.Id) with { InstanceName = "db-1", DataDisks = [new(1, SizeGiB: 20)] }, default);
        var all = new InstanceFilter { RegionId = Region };

        var firstPage = await f.Queries.DescribeAsync(Alice, all, new PageRequest(PageNumber: 2, PageSize: 4), default);
        Assert.Equal((6, 2, 4, 2), (firstPage.TotalCount, firstPage.PageNumber, firstPage.PageSize, firstPage.Items.Count));
        var seen = new List<string>();
        string? token = null;
        for (var i = 0; i < 10; i++)
        {
            var page = await f.Queries.DescribeAsync(Alice, all, new PageRequest(NextToken: token, MaxResults: 4), default);
            seen.AddRange(page.Items.Select(x => x.Instance.Id));
            if ((token = page.NextToken) == "")
            {
                break;
            }
        }

        Assert.Equal(ids.Append(lone).Order(), seen.Order());
        Assert.Equal([lone], await IdsAsync(f, all with { Status = InstanceStatuses.Stopped }));
        Assert.Equal([lone], await IdsAsync(f, all with { ImageId = other.Id }));
        Assert.Equal([lone], await IdsAsync(f, all with { InstanceName = "db*" }));
        Assert.Empty(await IdsAsync(f, all with { InstanceName = "web%" }));
        Assert.Equal(5, (await IdsAsync(f, all with { InstanceName = "web_a" })).Count);
        Assert.Equal(new[] { ids[0], ids[2] }.Order(), (await IdsAsync(f, all with { InstanceIds = [ids[0], ids[2], "i-none"] })).Order());
        await AssertError("InvalidParameter", 400, () => f.Queries.DescribeAsync(Alice, all, new PageRequest(NextToken: "x"), default));

        var disks = (await f.Disks.DescribeAsync(Alice, new DiskFilter { RegionId = Region, InstanceId = lone }, new PageRequest(), default)).Items;
        Assert.Equal(["/dev/xvda", "/dev/xvdb"], disks.Select(d => d.Disk.Device));
        var data = Assert.Single((await f.Disks.DescribeAsync(Alice, new DiskFilter { RegionId = Region, DiskType = "data" }, new PageRequest(), default)).Items).Disk;
        Assert.Equal(lone, data.InstanceId);
        Assert.Equal(5, (await f.Disks.DescribeAsync(Alice, new DiskFilter { RegionId = Region, SnapshotId = image.DiskMappings[0].SnapshotId }, new PageRequest(), default)).TotalCount);
    }

    private static async Task<List<string>> IdsAsync(ComputeFixture f, InstanceFilter filter) =>
        [.. (await f.Queries.DescribeAsync(Alice, filter, new PageRequest(PageSize: 100), default)).Items.Select(i => i.Instance.Id)];

    private static async Task<string> StatusAsync(ComputeFixture f, string instanceId)
    {
        await using var db = f.Database.CreateContext();
        return await db.Instances.Where(i => i.Id == instanceId).Select(i => i.Status).SingleAsync();
    }
}
