using Imago.Api.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Robustness;

/// <summary>One of everything an account can own, made through the API: the ids the sweeps aim at.</summary>
/// <param name="PublicImageId">A public image (visible to everyone) the instance was launched from.</param>
/// <param name="CustomImageId">The account's own image, made by CreateImage from the instance (system + data disk).</param>
/// <param name="CreateImageTaskId">The CreateImage task that filled <paramref name="CustomImageId"/>.</param>
internal sealed record Estate(
    string PublicImageId,
    string InstanceId,
    string SystemDiskId,
    string DataDiskId,
    string SnapshotId,
    string CustomImageId,
    string CreateImageTaskId)
{
    /// <summary>Every id, by the parameter kind it belongs to.</summary>
    public IEnumerable<string> AllIds => [PublicImageId, InstanceId, SystemDiskId, DataDiskId, SnapshotId, CustomImageId, CreateImageTaskId];

    public static async Task<Estate> CreateAsync(ImagoServer server, EcsClient client)
    {
        var publicImage = await AddImageAsync(server, 0x42);
        var instance = await RunInstanceAsync(client, publicImage, ("DataDisk.1.Size", "20"));
        var disks = await DisksAsync(client, instance);
        var system = Text(disks.Single(d => Text(d, "Type") == "system"), "DiskId");
        var data = Text(disks.Single(d => Text(d, "Type") == "data"), "DiskId");

        var snapshot = Text(await client.CallOkAsync("CreateSnapshot", Params(("DiskId", data), ("SnapshotName", "estate-data"))), "SnapshotId");
        await WaitForSnapshotAsync(client, snapshot);
        var image = Text(await client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instance), ("ImageName", "estate-image"))), "ImageId");
        await WaitForImageAsync(client, image);
        var tasks = await client.CallOkAsync("DescribeTasks", Params(("RegionId", Region), ("ResourceIds.1", image)));
        var task = Text(tasks["TaskSet"]!["Task"]![0]!, "TaskId");
        return new Estate(publicImage, instance, system, data, snapshot, image, task);
    }
}
