using System.Text.Json;
using Imago.Core.Buckets;
using Imago.Core.Importing;
using Imago.Core.Tests.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Importing;

/// <summary>An import held before its data disk: its progress shows, and CancelTask ends it Cancelled, the image CreateFailed, no snapshot left.</summary>
public sealed class ImportCancellationTests : IAsyncLifetime
{
    private const long Alice = 1_000_000_000_000_001;
    private const string Bucket = "imports";

    private readonly TempDirectory _dir = new();
    private readonly DeferredTaskHandler _handler = new(ImportErrors.TaskKind);
    private SnapshotHarness _env = null!;
    private GatedBucketStore _buckets = null!;
    private ImageImportService _imports = null!;

    public async Task InitializeAsync()
    {
        _env = await SnapshotHarness.OpenAsync(_dir.Path, true, _handler);
        _buckets = new GatedBucketStore(DirectoryBucketStore.Open(_dir.Path), gatedKey: "data.raw");
        _handler.Inner = new ImportImageTaskHandler(_env.Database, _env.Stores, _buckets, TimeProvider.System);
        _imports = new ImageImportService(_env.Database, _buckets, _env.Regions, _env.Runner, TimeProvider.System);
        await _buckets.CreateBucketAsync(SnapshotHarness.Region, Bucket, CancellationToken.None);
        foreach (var key in new[] { "system.raw", "data.raw" })
        {
            using var content = new MemoryStream(Enumerable.Repeat((byte)0xab, 1 << 20).ToArray());
            await _buckets.PutObjectAsync(SnapshotHarness.Region, Bucket, key, content, null, CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        await _env.DisposeAsync();
        _imports.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task ProgressIsVisibleAndCancellingMidImportRemovesTheDisksAlreadyImported()
    {
        var caller = new Caller(Alice);
        var request = new ImportImageRequest(SnapshotHarness.Region,
            [new ImportDiskRequest(1, Bucket, "system.raw", "RAW", null, null), new ImportDiskRequest(2, Bucket, "data.raw", null, null, null)]);
        var result = await _imports.ImportAsync(caller, request, CancellationToken.None);
        await _buckets.Entered.WaitAsync(TimeSpan.FromSeconds(20));
        var payload = JsonSerializer.Deserialize<ImportImagePayload>((await _env.FindTaskAsync(result.TaskId))!.Payload)!;
        Assert.True(_env.Store.SnapshotExists(payload.Disks[0].SnapshotId)); // the system disk is in before the data disk opens
        // Half the disks are in: the task and the image show 49% (0-99 while importing).
        Assert.Equal(49, (await _env.FindTaskAsync(result.TaskId))!.Progress);
        Assert.Equal(49, (await _env.FindImageAsync(result.ImageId))!.Progress);
        // Each disk is listed from the start with its source; the system disk is done (its size read from the file),
        // the data disk not begun; neither has a snapshot until the import commits.
        var disks = (await _env.FindImageAsync(result.ImageId))!.DiskMappings.OrderBy(m => m.Index).ToList();
        Assert.Equal([(0, "system", "system.raw", 100, 1, (string?)null), (1, "data", "data.raw", 0, 0, null)],
            disks.Select(m => (m.Index, m.Type, m.ImportOssObject, m.Progress, m.SizeGiB, m.SnapshotId)));

        // While the import runs, DeleteImage answers the documented ImageIsImporting.
        var deleting = await Assert.ThrowsAsync<Imago.Core.Errors.EcsException>(() => new Imago.Core.Images.ImageChanges(_env.Database, _env.Regions)
            .DeleteAsync(caller, SnapshotHarness.Region, result.ImageId, force: true, dryRun: false, CancellationToken.None));
        Assert.Equal("ImageIsImporting", deleting.Code);

        await _env.Runner.CancelAsync(caller, SnapshotHarness.Region, result.TaskId, CancellationToken.None);

        await SnapshotHarness.WaitUntilAsync(async () => (await _env.FindTaskAsync(result.TaskId))!.Status == TaskStatuses.Cancelled, "task cancelled");
        await _env.WaitForImageAsync(result.ImageId, ImageStatuses.CreateFailed);
        Assert.All(payload.Disks, d => Assert.False(_env.Store.SnapshotExists(d.SnapshotId)));
        foreach (var disk in payload.Disks)
        {
            Assert.Null(await _env.FindSnapshotAsync(disk.SnapshotId));
        }

        // The failed image still names its disks' sources, and no disk points at a snapshot.
        var failed = (await _env.FindImageAsync(result.ImageId))!.DiskMappings.OrderBy(m => m.Index).ToList();
        Assert.Equal(["system.raw", "data.raw"], failed.Select(m => m.ImportOssObject));
        Assert.All(failed, m => Assert.Null(m.SnapshotId));
    }
}
