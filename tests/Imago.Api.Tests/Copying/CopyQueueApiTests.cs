using Imago.Api.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Copying.CopyApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Copying;

/// <summary>
/// Copies under a transfer rate (1 MiB/s) and one copy at a time per region: the second copy waits (Status Waiting),
/// progress and RemainTime move, DeleteImage refuses source and copy, and both CancelCopyImage and CancelTask
/// remove the partial copy while the source stays.
/// </summary>
public sealed class CopyQueueApiTests : IAsyncLifetime
{
    private readonly ImagoServer _server = new() { TransferRateMiBPerSecond = 1, CopyConcurrency = 1 };

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task TheSecondCopyWaitsAndBothCanBeCancelled()
    {
        var (client, account) = await AccountAsync(_server);
        var source = await AddCustomImageAsync(_server, account.AccountId, chunks: 40); // 10 MiB: ~10 s at 1 MiB/s
        var first = await CopyAsync(client, source);
        var second = await CopyAsync(client, source);

        // Whichever got the region's one slot transfers (progress and RemainTime move); the other waits.
        string running = "", waiting = "";
        for (var i = 0; i < 400 && running.Length == 0; i++)
        {
            foreach (var (copy, other) in new[] { (first, second), (second, first) })
            {
                var view = await CopyViewAsync(client, copy);
                var mapping = view?["DiskDeviceMappings"]!["DiskDeviceMapping"]![0]!;
                if (view is not null && Text(view, "Status") == "Creating" && Text(view, "Progress") is not ("0%" or "100%")
                    && mapping["RemainTime"]!.GetValue<int>() > 0)
                {
                    (running, waiting) = (copy, other);
                }
            }

            await Task.Delay(running.Length == 0 ? 50 : 0);
        }

        Assert.NotEqual("", running);
        Assert.Equal("Waiting", Text((await CopyViewAsync(client, waiting))!, "Status"));
        var listed = await client.CallOkAsync("DescribeImages", Params(("RegionId", Destination), ("Status", "Waiting")));
        Assert.Equal(waiting, Text(Assert.Single(listed["Images"]!["Image"]!.AsArray())!, "ImageId"));

        (await client.CallAsync("DeleteImage", Params(("RegionId", Region), ("ImageId", source)))).AssertError("OperationDenied.ImageCopying", 403);
        (await client.CallAsync("DeleteImage", Params(("RegionId", Destination), ("ImageId", running)))).AssertError("OperationDenied.ImageCopying", 403);
        (await client.CallAsync("DeleteImage", Params(("RegionId", Destination), ("ImageId", waiting)))).AssertError("OperationDenied.ImageCopying", 403);

        await client.CallOkAsync("CancelCopyImage", Params(("RegionId", Destination), ("ImageId", waiting)));
        Assert.Null(await CopyViewAsync(client, waiting));

        var tasks = await client.CallOkAsync("DescribeTasks", Params(("RegionId", Destination), ("TaskAction", "CopyImage"), ("TaskStatus", "Processing")));
        var task = Assert.Single(tasks["TaskSet"]!["Task"]!.AsArray());
        Assert.Equal(running, Text(task!, "ResourceId"));
        var attribute = await client.CallOkAsync("DescribeTaskAttribute", Params(("RegionId", Destination), ("TaskId", Text(task!, "TaskId"))));
        Assert.Equal("true", Text(attribute, "SupportCancel"));
        await client.CallOkAsync("CancelTask", Params(("RegionId", Destination), ("TaskId", Text(task!, "TaskId"))));
        Assert.Null(await CopyViewAsync(client, running));
        var cancelled = await client.CallOkAsync("DescribeTaskAttribute", Params(("RegionId", Destination), ("TaskId", Text(task!, "TaskId"))));
        Assert.Equal("Cancelled", Text(cancelled, "TaskStatus"));
        var gone = await client.CallAsync("CancelCopyImage", Params(("RegionId", Destination), ("ImageId", running)));
        gone.AssertError("InvalidImageId.NotFound", 404);

        // The source is untouched and free again.
        Assert.Equal("Available", Text((await CopyViewAsync(client, source, Region))!, "Status"));
        await client.CallOkAsync("DeleteImage", Params(("RegionId", Region), ("ImageId", source)));
    }
}
