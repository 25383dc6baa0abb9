using Imago.Api.Tests.Infrastructure;
using Imago.Core.Buckets;
using Imago.Formats.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Importing.ImportApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Exporting;

/// <summary>
/// An export slowed by --transfer-rate (1 MiB/s): its TaskProcess moves while it runs, DeleteImage waits for it, and
/// CancelTask stops it with nothing left in the bucket.
/// </summary>
public sealed class ExportImageCancelApiTests : IAsyncLifetime
{
    private readonly ImagoServer _server = new() { TransferRateMiBPerSecond = 1 };
    private readonly TempDirectory _temp = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task ProgressMovesWhileExportingAndCancelTaskLeavesNothing()
    {
        var client = await ClientAsync(_server);
        var (bucket, key) = await PutDiskAsync(_server, _temp, "qcow2", 0x61, size: 16L << 20);
        var (imageId, _) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key));
        await WaitForImageAsync(client, imageId);

        // raw: 16 MiB through the put at 1 MiB/s.
        var taskId = Text(await client.CallOkAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", bucket))), "TaskId");
        var running = await WaitForProgressAsync(client, taskId);
        Assert.Equal(("Processing", "true"), (Text(running, "TaskStatus"), Text(running, "SupportCancel")));
        (await client.CallAsync("DeleteImage", Params(("RegionId", Region), ("ImageId", imageId)))).AssertError("ImageIsExporting", 403);

        await client.CallOkAsync("CancelTask", Params(("RegionId", Region), ("TaskId", taskId)));

        var cancelled = await WaitForTaskAsync(client, taskId);
        Assert.Equal("Cancelled", Text(cancelled, "TaskStatus"));
        var objects = (await _server.GetRequiredService<IBucketStore>().ListObjectsAsync(Region, bucket, null, null, 1000, CancellationToken.None)).Objects;
        Assert.Equal([key], objects.Select(o => o.Key));
        Assert.False(Directory.Exists(Path.Combine(_server.DataDirectory, "exports", taskId)));
        await client.CallOkAsync("DeleteImage", Params(("RegionId", Region), ("ImageId", imageId)));
    }

    /// <summary>DescribeTaskAttribute once TaskProcess shows the export under way (above 0%, below 99%), bounded.</summary>
    private static async Task<System.Text.Json.Nodes.JsonObject> WaitForProgressAsync(EcsClient client, string taskId)
    {
        for (var i = 0; i < 400; i++)
        {
            var task = await TaskAsync(client, taskId);
            if (int.Parse(Text(task, "TaskProcess").TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture) is > 0 and < 99)
            {
                return task;
            }

            Assert.Equal("Processing", Text(task, "TaskStatus"));
            await Task.Delay(25);
        }

        throw new TimeoutException($"task {taskId} showed no progress");
    }
}
