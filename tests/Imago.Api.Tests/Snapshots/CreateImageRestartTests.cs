using Imago.Api.Tests.Infrastructure;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Storage;
using Microsoft.EntityFrameworkCore;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Snapshots;

/// <summary>A service killed while images were Creating: after a restart on the same data, none stays Creating.</summary>
public sealed class CreateImageRestartTests : IAsyncLifetime
{
    private readonly ImagoServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task ImagesLeftCreatingEndAvailableOrCreateFailedAfterRestart()
    {
        var account = await _server.CreateAccountAsync();
        var client = new EcsClient(_server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret);
        var instanceId = await RunInstanceAsync(client, await AddImageAsync(_server, 0x21), ("DataDisk.1.Size", "20"));
        await QemuIoAsync(Text((await DisksAsync(client, instanceId))[0], "NbdUrl"), "write -P 0x3c 5M 64k");
        var resumable = Text(await client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId), ("ImageName", "resumable"))), "ImageId");
        var broken = Text(await client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId), ("ImageName", "broken"))), "ImageId");
        await WaitForImageAsync(client, resumable);
        await WaitForImageAsync(client, broken);

        await _server.RestartAsync(async () =>
        {
            // Rewind to what a kill right after CreateImage committed leaves: images Creating at 0%, their snapshots
            // progressing, their tasks Processing. And one image's bytes are gone as well.
            var database = new ImagoDatabase(new DatabaseOptions(_server.DataDirectory, _server.ConnectionString));
            await using var db = database.CreateContext();
            string[] images = [resumable, broken];
            await db.Images.Where(i => images.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, ImageStatuses.Creating).SetProperty(i => i.Progress, 0));
            var snapshots = await db.ImageDiskMappings.Where(m => images.Contains(m.ImageId)).Select(m => new { m.ImageId, m.SnapshotId }).ToListAsync();
            var snapshotIds = snapshots.Select(s => s.SnapshotId).ToList();
            await db.Snapshots.Where(s => snapshotIds.Contains(s.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SnapshotStatuses.Progressing).SetProperty(x => x.Progress, 0));
            await db.Tasks.Where(t => images.Contains(t.ResourceId))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TaskStatuses.Processing).SetProperty(t => t.Progress, 0).SetProperty(t => t.FinishedAt, (DateTime?)null));

            await using var store = await BlockStore.OpenAsync(Path.Combine(_server.DataDirectory, "regions", Region));
            await store.DeleteSnapshotAsync(snapshots.First(s => s.ImageId == broken).SnapshotId!);
        });

        client = new EcsClient(_server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret);
        var resumed = await WaitForImageAsync(client, resumable);
        Assert.Equal(("Available", "100%"), (Text(resumed, "Status"), Text(resumed, "Progress")));
        Assert.Equal("CreateFailed", Text(await WaitForImageAsync(client, broken), "Status"));
        foreach (var mapping in resumed["DiskDeviceMappings"]!["DiskDeviceMapping"]!.AsArray())
        {
            Assert.Equal("accomplished", Text((await WaitForSnapshotAsync(client, Text(mapping!, "SnapshotId")))!, "Status"));
        }

        // The image is marked before its task: give the task a moment to record the failure.
        var taskStatus = "";
        for (var i = 0; i < 100 && taskStatus != "Failed"; i++)
        {
            var task = (await client.CallOkAsync("DescribeTasks", Params(("RegionId", Region), ("ResourceIds.1", broken))))["TaskSet"]!["Task"]![0]!;
            taskStatus = Text(task, "TaskStatus");
            await Task.Delay(taskStatus == "Failed" ? 0 : 50);
        }

        Assert.Equal("Failed", taskStatus);

        var copy = await RunInstanceAsync(client, resumable);
        await QemuIoAsync(Text((await DisksAsync(client, copy))[0], "NbdUrl"), "read -P 0x3c 5M 64k");
    }
}
