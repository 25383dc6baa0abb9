using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;
using Imago.Formats.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;

namespace Imago.Api.Tests.Snapshots;

/// <summary>Calls the snapshot, image and task tests share: run an instance, list its disks, poll images and snapshots, qemu-io.</summary>
internal static class SnapshotsApi
{
    public static string Text(JsonNode node, string field) => node[field]!.GetValue<string>();

    public static async Task<string> RunInstanceAsync(EcsClient client, string imageId, params (string Key, string Value)[] extra)
    {
        var parameters = Params([("RegionId", Region), ("ImageId", imageId), ("InstanceType", "ecs.g7.large"), .. extra]);
        var run = await client.CallOkAsync("RunInstances", parameters);
        return run["InstanceIdSets"]!["InstanceIdSet"]![0]!.GetValue<string>();
    }

    /// <summary>The instance's disks: system first, then data disks by device.</summary>
    public static async Task<JsonNode[]> DisksAsync(EcsClient client, string instanceId) =>
        [.. (await client.CallOkAsync("DescribeDisks", Params(("RegionId", Region), ("InstanceId", instanceId), ("PageSize", "50"))))["Disks"]!["Disk"]!
            .AsArray().Select(n => n!).OrderBy(d => Text(d, "Type") == "system" ? 0 : 1).ThenBy(d => Text(d, "Device"), StringComparer.Ordinal)];

    public static async Task<JsonNode?> ImageAsync(EcsClient client, string imageId)
    {
        var images = await client.CallOkAsync("DescribeImages", Params(("RegionId", Region), ("ImageId", imageId),
            ("Status", "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated")));
        return images["Images"]!["Image"]!.AsArray().SingleOrDefault();
    }

    public static async Task<JsonNode?> SnapshotAsync(EcsClient client, string snapshotId)
    {
        var snapshots = await client.CallOkAsync("DescribeSnapshots", Params(("RegionId", Region), ("SnapshotIds", $"[\"{snapshotId}\"]")));
        return snapshots["Snapshots"]!["Snapshot"]!.AsArray().SingleOrDefault();
    }

    /// <summary>Polls DescribeImages as Terraform does until the image leaves Creating (bounded); returns the last view.</summary>
    public static async Task<JsonNode> WaitForImageAsync(EcsClient client, string imageId, List<string>? progressSeen = null)
    {
        for (var i = 0; i < 400; i++)
        {
            var image = await ImageAsync(client, imageId) ?? throw new InvalidOperationException($"image {imageId} is not listed");
            progressSeen?.Add(Text(image, "Progress"));
            if (Text(image, "Status") != "Creating")
            {
                return image;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"image {imageId} is still Creating");
    }

    public static async Task<JsonNode> WaitForSnapshotAsync(EcsClient client, string snapshotId)
    {
        for (var i = 0; i < 400; i++)
        {
            var snapshot = await SnapshotAsync(client, snapshotId) ?? throw new InvalidOperationException($"snapshot {snapshotId} is not listed");
            if (Text(snapshot, "Status") != "progressing")
            {
                return snapshot;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"snapshot {snapshotId} is still progressing");
    }

    /// <summary>qemu-io on an NBD URL, off the test's thread (the NBD server runs in this process).</summary>
    public static Task QemuIoAsync(string nbdUrl, params string[] commands) => Task.Run(() => QemuImg.IoCommands(nbdUrl, "raw", commands));
}
