using Imago.Core.Copying;
using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Core.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Copying;

/// <summary>
/// The transfer: only missing chunks move, progress shows, a restart resumes without resending what arrived, a
/// cancel removes the partial copy, the per-region limit queues copies (Waiting) without starving other tasks.
/// </summary>
public sealed class CopyTransferTests : IDisposable
{
    private const long Alice = 1_000_000_000_000_001;
    private static readonly Caller AliceCaller = new(Alice);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CopyImageRequest Request(string imageId) => new(CopyHarness.Source, imageId, CopyHarness.Destination);

    [Fact]
    public async Task ACopyOfAnImageDerivedFromAPublicImageSendsOnlyTheChangedChunks()
    {
        await using var env = await CopyHarness.OpenAsync(_dir.Path);
        var publicBytes = CopyHarness.RandomBytes(32, seed: 7);
        var publicSnapshot = await env.AddStoreSnapshotAsync(CopyHarness.Source, publicBytes);
        await env.SeedDestinationAsync(publicSnapshot); // the public image is in every region
        var changed = CopyHarness.RandomBytes(2, seed: 8);
        var custom = await env.AddStoreSnapshotAsync(CopyHarness.Source, changed, fromSnapshot: publicSnapshot);
        var source = await env.AddCustomImageAsync(Alice, [custom]);

        var result = await env.Copies.CopyAsync(AliceCaller, Request(source.Id), CancellationToken.None);
        await env.Env.WaitForImageAsync(result.ImageId, ImageStatuses.Available);

        // Two changed data chunks, plus the few map pages above them; the 30 unchanged chunks stay put.
        Assert.InRange(env.Counters.ChunksSent, 2, 6);
        Assert.True(env.Counters.ChunksSkipped >= 30, $"skipped {env.Counters.ChunksSkipped}");
        Assert.True(env.Counters.BytesSent < 8L * CopyHarness.ChunkSize, $"sent {env.Counters.BytesSent} bytes");
        var copied = (await env.Env.FindImageAsync(result.ImageId))!.DiskMappings[0].SnapshotId!;
        var expected = (byte[])publicBytes.Clone();
        changed.CopyTo(expected, 0);
        Assert.Equal(expected, await env.ReadAsync(env.DestinationStore, copied, expected.Length));
    }

    [Fact]
    public async Task ACopyStoppedMidwayResumesAfterARestartWithoutResendingWhatArrived()
    {
        const int Chunks = 48;
        var bytes = CopyHarness.RandomBytes(Chunks, seed: 3);
        string imageId;
        long sentBeforeStop;
        await using (var first = await CopyHarness.OpenAsync(_dir.Path, mibPerSecond: 4))
        {
            var snapshot = await first.AddStoreSnapshotAsync(CopyHarness.Source, bytes);
            var source = await first.AddCustomImageAsync(Alice, [snapshot]);
            imageId = (await first.Copies.CopyAsync(AliceCaller, Request(source.Id), CancellationToken.None)).ImageId;
            await first.WaitUntilAsync(() => Task.FromResult(first.Counters.ChunksSent >= 12), "a quarter of the chunks sent");
            var moving = await first.Env.FindImageAsync(imageId);
            Assert.Equal(ImageStatuses.Creating, moving!.Status);
            sentBeforeStop = first.Counters.ChunksSent;
        } // the service stops mid-copy: the task stays Processing

        await using var second = await CopyHarness.OpenAsync(_dir.Path);
        await second.Env.WaitForImageAsync(imageId, ImageStatuses.Available);
        Assert.True(second.Counters.ChunksSkipped >= sentBeforeStop, $"skipped {second.Counters.ChunksSkipped}, sent before {sentBeforeStop}");
        Assert.True(second.Counters.BytesSent <= (Chunks - sentBeforeStop + 4) * (long)CopyHarness.ChunkSize, $"resent {second.Counters.BytesSent}");
        var copy = await second.Env.FindImageAsync(imageId);
        Assert.Equal(bytes, await second.ReadAsync(second.DestinationStore, copy!.DiskMappings[0].SnapshotId!, bytes.Length));
        await second.WaitUntilAsync(async () => (await second.Env.FindTaskAsync(copy.TaskId!))!.Status == TaskStatuses.Finished, "task Finished");
    }

    [Fact]
    public async Task ProgressAndRemainTimeMoveAndCancelRemovesThePartialCopyOnly()
    {
        await using var env = await CopyHarness.OpenAsync(_dir.Path, mibPerSecond: 2);
        var bytes = CopyHarness.RandomBytes(40, seed: 4);
        var snapshot = await env.AddStoreSnapshotAsync(CopyHarness.Source, bytes);
        var source = await env.AddCustomImageAsync(Alice, [snapshot]);
        var result = await env.Copies.CopyAsync(AliceCaller, Request(source.Id) with { Tags = [new("k", "v")] }, CancellationToken.None);
        var taskId = (await env.Env.FindImageAsync(result.ImageId))!.TaskId!;

        await env.WaitUntilAsync(async () =>
        {
            var image = await env.Env.FindImageAsync(result.ImageId);
            return image!.Progress > 0 && image.DiskMappings[0].Progress > 0 && image.DiskMappings[0].RemainTimeSeconds > 0;
        }, "progress and remaining time");
        Assert.InRange((await env.Env.FindTaskAsync(taskId))!.Progress, 1, 99);

        // While copying, neither the source nor the copy can be deleted.
        var changes = new ImageChanges(env.Env.Database, env.Env.Regions);
        foreach (var (region, id) in new[] { (CopyHarness.Source, source.Id), (CopyHarness.Destination, result.ImageId) })
        {
            var error = await Assert.ThrowsAsync<EcsException>(() => changes.DeleteAsync(AliceCaller, region, id, force: true, dryRun: false, CancellationToken.None));
            Assert.Equal(("OperationDenied.ImageCopying", 403), (error.Code, error.HttpStatus));
        }

        await env.Copies.CancelAsync(AliceCaller, CopyHarness.Destination, result.ImageId, CancellationToken.None);

        Assert.Null(await env.Env.FindImageAsync(result.ImageId));
        Assert.Empty(await env.TagsAsync(result.ImageId));
        Assert.Equal(TaskStatuses.Cancelled, (await env.Env.FindTaskAsync(taskId))!.Status);
        Assert.Empty(env.DestinationStore.ListSnapshots());
        Assert.Equal(ImageStatuses.Available, (await env.Env.FindImageAsync(source.Id))!.Status);
        Assert.Equal(bytes, await env.ReadAsync(env.SourceStore, snapshot, bytes.Length));
        await changes.DeleteAsync(AliceCaller, CopyHarness.Source, source.Id, force: false, dryRun: false, CancellationToken.None);
    }

    [Fact]
    public async Task CancelCopyImageAnswersTheDocumentedCodes()
    {
        await using var env = await CopyHarness.OpenAsync(_dir.Path);
        var snapshot = await env.AddStoreSnapshotAsync(CopyHarness.Source, CopyHarness.RandomBytes(2, seed: 5));
        var source = await env.AddCustomImageAsync(Alice, [snapshot]);
        var result = await env.Copies.CopyAsync(AliceCaller, Request(source.Id), CancellationToken.None);
        await env.Env.WaitForImageAsync(result.ImageId, ImageStatuses.Available);

        async Task<EcsException> Cancel(Caller caller, string region, string id) =>
            await Assert.ThrowsAsync<EcsException>(() => env.Copies.CancelAsync(caller, region, id, CancellationToken.None));

        var finished = await Cancel(AliceCaller, CopyHarness.Destination, result.ImageId);
        Assert.Equal(("IncorrectImageStatus", "The image has completed copy."), (finished.Code, finished.Message));
        Assert.Equal("ImageCreatedNotFromCopy", (await Cancel(AliceCaller, CopyHarness.Source, source.Id)).Code);
        Assert.Equal("InvalidImageId.NotFound", (await Cancel(new Caller(Alice + 1), CopyHarness.Destination, result.ImageId)).Code);
        Assert.Equal("InvalidImageId.NotFound", (await Cancel(AliceCaller, CopyHarness.Source, result.ImageId)).Code); // the copy is in the destination
        Assert.Equal("InvalidRegionId.NotFound", (await Cancel(AliceCaller, "xx-nowhere-1", result.ImageId)).Code);
    }

    [Fact]
    public async Task CopiesBeyondTheRegionLimitWaitAndOtherTasksStillRun()
    {
        await using var env = await CopyHarness.OpenAsync(_dir.Path, mibPerSecond: 1, slotsPerRegion: 1);
        var snapshot = await env.AddStoreSnapshotAsync(CopyHarness.Source, CopyHarness.RandomBytes(16, seed: 6));
        var source = await env.AddCustomImageAsync(Alice, [snapshot]);
        var copies = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            copies.Add((await env.Copies.CopyAsync(AliceCaller, Request(source.Id), CancellationToken.None)).ImageId);
        }

        async Task<string[]> StatusesAsync() => await Task.WhenAll(copies.Select(async id => (await env.Env.FindImageAsync(id))!.Status));
        await env.WaitUntilAsync(async () =>
        {
            var statuses = await StatusesAsync();
            return statuses.Count(s => s == ImageStatuses.Creating) == 1 && statuses.Count(s => s == ImageStatuses.Waiting) == 2;
        }, "one copy running, two waiting");

        // Three copies hold no task worker: a snapshot (a task of its own) is still taken meanwhile.
        var disk = await env.Env.AddDiskAsync(Alice, "data", 1);
        var snapshotId = await env.Env.Snapshots.CreateAsync(AliceCaller, new CreateSnapshotRequest(null, disk.Id), CancellationToken.None);
        await env.Env.WaitForSnapshotAsync(snapshotId, SnapshotStatuses.Accomplished);

        // A waiting copy can be cancelled too; the others go on.
        var waiting = copies[Array.IndexOf(await StatusesAsync(), ImageStatuses.Waiting)];
        await env.Copies.CancelAsync(AliceCaller, CopyHarness.Destination, waiting, CancellationToken.None);
        Assert.Null(await env.Env.FindImageAsync(waiting));
        foreach (var id in copies.Where(c => c != waiting))
        {
            await env.Copies.CancelAsync(AliceCaller, CopyHarness.Destination, id, CancellationToken.None);
        }

        Assert.Empty(env.DestinationStore.ListSnapshots());
    }
}
