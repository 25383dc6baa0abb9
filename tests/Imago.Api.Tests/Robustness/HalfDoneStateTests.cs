using Imago.Api.Tests.Infrastructure;
using Imago.Core.Storage;
using Imago.Storage;
using Microsoft.EntityFrameworkCore;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Robustness;

/// <summary>
/// Multi-step actions whose middle step fails leave no rows and no block-store objects behind. The failure is made
/// honestly, through the one seam reachable from outside: bytes that vanish from the region's store underneath a
/// row (what a lost or damaged store looks like to the service). Requests are answered with an ECS error, never a 500.
/// </summary>
public sealed class HalfDoneStateTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    private BlockStore Store => server.GetRequiredService<RegionStores>()[Region];

    [Fact]
    public async Task CreateImageFromAnInstanceWhoseDataDiskBytesVanishedLeavesNoImageAndNoSnapshots()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x31);
        var instance = await RunInstanceAsync(client, image, ("DataDisk.1.Size", "20"), ("DataDisk.2.Size", "20"));
        var disks = await DisksAsync(client, instance);
        // The system disk is snapshotted first, then the data disks: the last one's bytes are gone.
        await Store.DeleteVolumeAsync(Text(disks[^1], "DiskId"));
        var before = StoreObjects();

        var response = await client.CallAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instance), ("ImageName", "half-done")));

        AssertEcsClientError(response);
        Assert.Equal(before, StoreObjects());
        Assert.Null(await ImageByNameAsync(client, "half-done"));
        Assert.Empty((await client.CallOkAsync("DescribeSnapshots", Params(("RegionId", Region))))["Snapshots"]!["Snapshot"]!.AsArray());
        Assert.Empty((await client.CallOkAsync("DescribeTasks", Params(("RegionId", Region))))["TaskSet"]!["Task"]!.AsArray());
    }

    [Fact]
    public async Task RunInstancesFromASnapshotWhoseBytesVanishedLeavesNoInstancesAndNoVolumes()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x32);
        var source = await RunInstanceAsync(client, image, ("DataDisk.1.Size", "20"));
        var data = Text((await DisksAsync(client, source))[1], "DiskId");
        var snapshot = Text(await client.CallOkAsync("CreateSnapshot", Params(("DiskId", data))), "SnapshotId");
        await WaitForSnapshotAsync(client, snapshot);
        await Store.DeleteSnapshotAsync(snapshot);
        var before = StoreObjects();

        var response = await client.CallAsync("RunInstances", Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large"),
            ("Amount", "3"), ("DataDisk.1.Size", "20"), ("DataDisk.2.SnapshotId", snapshot)));

        AssertEcsClientError(response);
        Assert.Equal(before, StoreObjects());
        var instances = (await client.CallOkAsync("DescribeInstances", Params(("RegionId", Region))))["Instances"]!["Instance"]!.AsArray();
        Assert.Equal(source, Text(Assert.Single(instances)!, "InstanceId"));
        Assert.Equal(2, (await client.CallOkAsync("DescribeDisks", Params(("RegionId", Region))))["Disks"]!["Disk"]!.AsArray().Count);
    }

    [Fact]
    public async Task ReplaceSystemDiskWithAnImageWhoseBytesVanishedKeepsTheOldDisk()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x33);
        var broken = await AddImageAsync(server, 0x34);
        var instance = await RunInstanceAsync(client, image);
        await client.CallOkAsync("StopInstance", Params(("InstanceId", instance)));
        var oldDisks = await DisksAsync(client, instance);
        await Store.DeleteSnapshotAsync(await SystemSnapshotOfAsync(broken));
        var before = StoreObjects();

        var response = await client.CallAsync("ReplaceSystemDisk", Params(("InstanceId", instance), ("ImageId", broken)));

        AssertEcsClientError(response);
        Assert.Equal(before, StoreObjects());
        Assert.Equal(oldDisks.Select(d => d.ToJsonString()), (await DisksAsync(client, instance)).Select(d => d.ToJsonString()));
    }

    [Fact]
    public async Task DeleteInstanceWhoseDiskBytesVanishedStillDeletesEverything()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x35);
        var instance = await RunInstanceAsync(client, image, ("DataDisk.1.Size", "20"));
        var disks = await DisksAsync(client, instance);
        await Store.DeleteVolumeAsync(Text(disks[0], "DiskId"));

        await client.CallOkAsync("DeleteInstance", Params(("InstanceId", instance), ("Force", "true")));

        Assert.Empty((await client.CallOkAsync("DescribeInstances", Params(("RegionId", Region))))["Instances"]!["Instance"]!.AsArray());
        Assert.Empty((await client.CallOkAsync("DescribeDisks", Params(("RegionId", Region))))["Disks"]!["Disk"]!.AsArray());
        Assert.DoesNotContain(Text(disks[1], "DiskId"), Store.ListVolumes());
    }

    /// <summary>Every volume and snapshot of the region's store, sorted.</summary>
    private string StoreObjects() =>
        string.Join(',', Store.ListVolumes().Order(StringComparer.Ordinal)) + " | " + string.Join(',', Store.ListSnapshots().Order(StringComparer.Ordinal));

    private static void AssertEcsClientError(EcsResponse response)
    {
        Assert.True((int)response.Status is >= 400 and < 500, $"expected a 4xx ECS error, got {(int)response.Status}: {response.Body}");
        Assert.False(string.IsNullOrEmpty(response.Code));
    }

    private static async Task<System.Text.Json.Nodes.JsonNode?> ImageByNameAsync(EcsClient client, string name) =>
        (await client.CallOkAsync("DescribeImages", Params(("RegionId", Region), ("ImageName", name), ("ImageOwnerAlias", "self"),
            ("Status", "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"))))["Images"]!["Image"]!.AsArray().SingleOrDefault();

    private async Task<string> SystemSnapshotOfAsync(string imageId)
    {
        await using var db = server.GetRequiredService<Imago.Data.ImagoDatabase>().CreateContext();
        return (await db.ImageDiskMappings.SingleAsync(m => m.ImageId == imageId && m.Index == 0)).SnapshotId!;
    }
}
