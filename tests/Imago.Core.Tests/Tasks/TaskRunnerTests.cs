using Imago.Core.Errors;
using Imago.Core.ImageCreation;
using Imago.Core.Snapshots;
using Imago.Core.Tasks;
using Imago.Core.Tests.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Tasks;

public sealed class TaskRunnerTests
{
    private const long Alice = 1_000_000_000_000_001;
    private const long Bob = 1_000_000_000_000_002;
    private static readonly Caller AliceCaller = new(Alice);
    private static readonly TaskScope AliceScope = new(Alice, SnapshotHarness.Region, "m-resource");

    [Fact]
    public async Task ImageLeftCreatingByACrashIsFinishedAfterRestart()
    {
        using var dir = new TempDirectory();
        string imageId;
        await using (var crashed = await SnapshotHarness.OpenAsync(dir.Path, startRunner: false))
        {
            await crashed.AddPublicImageAsync("ubuntu_22_04_x64_20G_alibase_20240101.vhd");
            var (instance, _, _) = await crashed.AddInstanceAsync(Alice, "ubuntu_22_04_x64_20G_alibase_20240101.vhd", dataGiB: [10]);
            imageId = await crashed.Images.CreateAsync(AliceCaller, new CreateImageRequest(SnapshotHarness.Region, InstanceId: instance.Id), CancellationToken.None);
            Assert.Equal(ImageStatuses.Creating, (await crashed.FindImageAsync(imageId))!.Status);
        }

        await using var restarted = await SnapshotHarness.OpenAsync(dir.Path);
        await restarted.WaitForImageAsync(imageId, ImageStatuses.Available);
        var image = await restarted.FindImageAsync(imageId);
        Assert.Equal(100, image!.Progress);
        foreach (var mapping in image.DiskMappings)
        {
            Assert.Equal(SnapshotStatuses.Accomplished, (await restarted.FindSnapshotAsync(mapping.SnapshotId!))!.Status);
        }
    }

    [Fact]
    public async Task TaskThatCannotResumeIsFailedAtRestartThroughItsHandler()
    {
        using var dir = new TempDirectory();
        string taskId;
        var first = new BlockingHandler();
        await using (var crashed = await SnapshotHarness.OpenAsync(dir.Path, startRunner: true, first))
        {
            taskId = await crashed.Runner.EnqueueAsync(first.Kind, new { Bucket = "b" }, AliceScope, CancellationToken.None);
            await first.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        Assert.Equal(TaskStatuses.Processing, (await ReadTaskAsync(dir.Path, taskId)).Status);
        var second = new BlockingHandler();
        await using var restarted = await SnapshotHarness.OpenAsync(dir.Path, startRunner: true, second);
        var task = await restarted.FindTaskAsync(taskId);
        Assert.Equal(TaskStatuses.Failed, task!.Status);
        Assert.StartsWith("InternalError:", task.FailedReason);
        Assert.NotNull(task.FinishedAt);
        Assert.Equal([taskId], second.Failed);
    }

    [Fact]
    public async Task ResumableTaskInterruptedByShutdownRunsAgain()
    {
        using var dir = new TempDirectory();
        string taskId;
        var first = new BlockingHandler(resume: true);
        await using (var crashed = await SnapshotHarness.OpenAsync(dir.Path, startRunner: true, first))
        {
            taskId = await crashed.Runner.EnqueueAsync(first.Kind, new { }, AliceScope, CancellationToken.None);
            await first.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        var second = new BlockingHandler(resume: true);
        second.Release();
        await using var restarted = await SnapshotHarness.OpenAsync(dir.Path, startRunner: true, second);
        await SnapshotHarness.WaitUntilAsync(async () => (await restarted.FindTaskAsync(taskId))!.Status == TaskStatuses.Finished, "resumed task");
        Assert.Equal(100, (await restarted.FindTaskAsync(taskId))!.Progress);
    }

    [Fact]
    public async Task ImagesAndSnapshotsWithoutATaskAreFailedAtStart()
    {
        using var dir = new TempDirectory();
        await using (var before = await SnapshotHarness.OpenAsync(dir.Path, startRunner: false))
        {
            await using var db = before.Database.CreateContext();
            db.Images.Add(new ImageEntity
            {
                RegionId = SnapshotHarness.Region, Id = "m-orphan", OwnerAccountId = Alice, Kind = ImageKinds.Custom, Name = "orphan",
                Status = ImageStatuses.Creating, CreatedAt = DateTime.UtcNow,
            });
            db.Snapshots.Add(new SnapshotEntity { Id = "s-orphan", AccountId = Alice, RegionId = SnapshotHarness.Region, Status = SnapshotStatuses.Progressing });
            await db.SaveChangesAsync();
        }

        await using var after = await SnapshotHarness.OpenAsync(dir.Path);
        Assert.Equal(ImageStatuses.CreateFailed, (await after.FindImageAsync("m-orphan"))!.Status);
        Assert.Equal(SnapshotStatuses.Failed, (await after.FindSnapshotAsync("s-orphan"))!.Status);
    }

    [Fact]
    public async Task ImageWhoseSnapshotBytesVanishedEndsCreateFailed()
    {
        using var dir = new TempDirectory();
        await using var env = await SnapshotHarness.OpenAsync(dir.Path, startRunner: false);
        var disk = await env.AddDiskAsync(Alice, "system", 20);
        var snapshotId = await env.Snapshots.CreateAsync(AliceCaller, new CreateSnapshotRequest(null, disk.Id), CancellationToken.None);
        await env.Finalizer.FinalizeAsync(SnapshotHarness.Region, snapshotId, CancellationToken.None);
        var imageId = await env.Images.CreateAsync(AliceCaller, new CreateImageRequest(SnapshotHarness.Region, SnapshotId: snapshotId), CancellationToken.None);
        await env.Store.DeleteSnapshotAsync(snapshotId);

        await env.Runner.StartAsync(CancellationToken.None);
        await env.WaitForImageAsync(imageId, ImageStatuses.CreateFailed);
        var task = await env.FindTaskAsync((await env.FindImageAsync(imageId))!.TaskId!);
        await SnapshotHarness.WaitUntilAsync(async () => (await env.FindTaskAsync(task!.Id))!.Status == TaskStatuses.Failed, "failed task");
        Assert.StartsWith("InvalidSnapshotId.NotFound: ", (await env.FindTaskAsync(task!.Id))!.FailedReason);
    }

    [Fact]
    public async Task CancelStopsARunningCancellableTask()
    {
        using var dir = new TempDirectory();
        var handler = new BlockingHandler();
        await using var env = await SnapshotHarness.OpenAsync(dir.Path, startRunner: true, handler);
        var taskId = await env.Runner.EnqueueAsync(handler.Kind, new { }, AliceScope, CancellationToken.None);
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(40, (await env.FindTaskAsync(taskId))!.Progress);

        var foreign = await Assert.ThrowsAsync<EcsException>(() => env.Runner.CancelAsync(new Caller(Bob), SnapshotHarness.Region, taskId, CancellationToken.None));
        Assert.Equal("InvalidTaskId.NotFound", foreign.Code);

        await env.Runner.CancelAsync(AliceCaller, SnapshotHarness.Region, taskId, CancellationToken.None);
        var task = await env.FindTaskAsync(taskId);
        Assert.Equal(TaskStatuses.Cancelled, task!.Status);
        Assert.NotNull(task.FinishedAt);
        Assert.Equal([taskId], handler.Cancelled);

        var again = await Assert.ThrowsAsync<EcsException>(() => env.Runner.CancelAsync(AliceCaller, SnapshotHarness.Region, taskId, CancellationToken.None));
        Assert.Equal(("IncorrectTaskStatus", 403), (again.Code, again.HttpStatus));
    }

    [Fact]
    public async Task CancelBeforeTheTaskStartsSkipsIt()
    {
        using var dir = new TempDirectory();
        var handler = new BlockingHandler();
        await using var env = await SnapshotHarness.OpenAsync(dir.Path, startRunner: false, handler);
        var taskId = await env.Runner.EnqueueAsync(handler.Kind, new { }, AliceScope, CancellationToken.None);
        await env.Runner.CancelAsync(AliceCaller, SnapshotHarness.Region, taskId, CancellationToken.None);
        Assert.Equal(TaskStatuses.Cancelled, (await env.FindTaskAsync(taskId))!.Status);
        Assert.Equal([taskId], handler.Cancelled);

        await env.Runner.StartAsync(CancellationToken.None);
        var marker = await env.Runner.EnqueueAsync(handler.Kind, new { }, AliceScope, CancellationToken.None);
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        handler.Release();
        await SnapshotHarness.WaitUntilAsync(async () => (await env.FindTaskAsync(marker))!.Status == TaskStatuses.Finished, "marker task");
        Assert.Equal(TaskStatuses.Cancelled, (await env.FindTaskAsync(taskId))!.Status);
    }

    [Fact]
    public async Task TasksThatDoNotSupportCancelAreRefused()
    {
        using var dir = new TempDirectory();
        await using var env = await SnapshotHarness.OpenAsync(dir.Path, startRunner: false);
        var disk = await env.AddDiskAsync(Alice, "data", 10);
        await env.Snapshots.CreateAsync(AliceCaller, new CreateSnapshotRequest(null, disk.Id), CancellationToken.None);
        var tasks = (await env.Tasks.ListAsync(AliceCaller, SnapshotHarness.Region, new TaskQuery(), CancellationToken.None)).Items;
        var task = Assert.Single(tasks);
        Assert.False(task.SupportCancel);
        var error = await Assert.ThrowsAsync<EcsException>(() => env.Runner.CancelAsync(AliceCaller, SnapshotHarness.Region, task.Id, CancellationToken.None));
        Assert.Equal(("OperationDenied", 403), (error.Code, error.HttpStatus));
    }

    [Fact]
    public async Task MoreTasksThanTheQueueHoldsAllRunAndFailuresAreRecorded()
    {
        using var dir = new TempDirectory();
        var handler = new QuickHandler();
        await using var env = await SnapshotHarness.OpenAsync(dir.Path, startRunner: false, handler);
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add(await env.Runner.EnqueueAsync(handler.Kind, new QuickPayload(Fail: i == 7), AliceScope with { ResourceId = $"m-{i}" }, CancellationToken.None));
        }

        await env.Runner.StartAsync(CancellationToken.None);
        await SnapshotHarness.WaitUntilAsync(async () =>
        {
            await using var db = env.Database.CreateContext();
            return !await db.Tasks.AnyAsync(t => t.Status == TaskStatuses.Processing);
        }, "all tasks");
        Assert.Equal(30, handler.Runs);
        var failed = await env.FindTaskAsync(ids[7]);
        Assert.Equal(TaskStatuses.Failed, failed!.Status);
        Assert.Equal("InvalidOSSObject.NotFound: The OSS object does not exist.", failed.FailedReason);

        var finished = await env.Tasks.ListAsync(AliceCaller, SnapshotHarness.Region,
            new TaskQuery(TaskStatus: TaskStatuses.Finished, PageSize: 100), CancellationToken.None);
        Assert.Equal(29, finished.TotalCount);
        Assert.Equal(29, finished.Items.Count);
        var byResource = (await env.Tasks.ListAsync(AliceCaller, SnapshotHarness.Region, new TaskQuery(ResourceIds: ["m-3"]), CancellationToken.None)).Items;
        Assert.Equal(ids[3], Assert.Single(byResource).Id);
        var byId = (await env.Tasks.ListAsync(AliceCaller, SnapshotHarness.Region, new TaskQuery(TaskIds: [ids[1], ids[2]], TaskAction: "ExportImage"), CancellationToken.None)).Items;
        Assert.Equal(2, byId.Count);
        var others = (await env.Tasks.ListAsync(new Caller(Bob), SnapshotHarness.Region, new TaskQuery(), CancellationToken.None)).Items;
        Assert.Empty(others);
        var missing = await Assert.ThrowsAsync<EcsException>(() => env.Tasks.GetAsync(new Caller(Bob), SnapshotHarness.Region, ids[0], CancellationToken.None));
        Assert.Equal("InvalidTaskId.NotFound", missing.Code);
    }

    private static async Task<TaskEntity> ReadTaskAsync(string dataDirectory, string taskId)
    {
        var database = new global::Imago.Data.ImagoDatabase(new global::Imago.Data.DatabaseOptions(dataDirectory));
        await using var db = database.CreateContext();
        return await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == taskId);
    }
}
