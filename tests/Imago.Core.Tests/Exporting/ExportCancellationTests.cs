using Imago.Core.Errors;
using Imago.Core.Exporting;
using Imago.Core.Images;
using Imago.Core.Tests.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Exporting;

/// <summary>
/// An export held while putting its data disk: progress shows, a second export and DeleteImage answer
/// ImageIsExporting, and CancelTask ends it Cancelled with the system disk's object removed and nothing staged.
/// </summary>
public sealed class ExportCancellationTests : IAsyncLifetime
{
    private const long Alice = 1_000_000_000_000_201;
    private const string Bucket = "exports";
    private const string Prefix = "held";

    private readonly TempDirectory _dir = new();
    private readonly TempDirectory _files = new();
    private ExportHarness _h = null!;
    private ImageEntity _image = null!;

    public async Task InitializeAsync()
    {
        // The gated key names the image, so its id is chosen before the harness opens.
        _h = await ExportHarness.OpenAsync(_dir.Path, gatedPutKey: $"{Prefix}_{ImageIdHolder.Id}_data_xvdb.qcow2");
        await _h.Buckets.CreateBucketAsync(ExportHarness.Region, Bucket, CancellationToken.None);
        _image = await _h.AddImageAsync(Alice, [(ExportHarness.MakeDisk(_files, "qcow2", 0x31), "qcow2"), (ExportHarness.MakeDisk(_files, "raw", 0x32), "raw")],
            imageId: ImageIdHolder.Id);
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        _dir.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task CancellingMidExportRemovesWhatItStoredAndTheImageCanBeExportedAgain()
    {
        var alice = new Caller(Alice);
        var request = new ExportImageRequest(ExportHarness.Region, _image.Id, Bucket, Prefix, "qcow2");
        var taskId = await _h.Exports.ExportAsync(alice, request, CancellationToken.None);
        await _h.Buckets.Entered.WaitAsync(TimeSpan.FromSeconds(20));

        // The system disk is stored, the data disk is staged and being put: 94% (0-99 while exporting).
        Assert.Equal([$"{Prefix}_{_image.Id}_system.qcow2"], await _h.KeysAsync(Bucket));
        Assert.True(_h.Staging.Holds(taskId));
        await SnapshotHarness.WaitUntilAsync(async () => (await _h.Env.FindTaskAsync(taskId))!.Progress == 94, "progress 94%");

        var again = await Assert.ThrowsAsync<EcsException>(() => _h.Exports.ExportAsync(alice, request with { OssPrefix = "other" }, CancellationToken.None));
        Assert.Equal(("ImageIsExporting", 403), (again.Code, again.HttpStatus));
        var deleting = await Assert.ThrowsAsync<EcsException>(() => new ImageChanges(_h.Env.Database, _h.Env.Regions)
            .DeleteAsync(alice, ExportHarness.Region, _image.Id, force: true, dryRun: false, CancellationToken.None));
        Assert.Equal(("ImageIsExporting", 403), (deleting.Code, deleting.HttpStatus));
        Assert.EndsWith("Please cancel task first.", deleting.Message, StringComparison.Ordinal);

        await _h.Env.Runner.CancelAsync(alice, ExportHarness.Region, taskId, CancellationToken.None);

        await SnapshotHarness.WaitUntilAsync(async () => (await _h.Env.FindTaskAsync(taskId))!.Status == TaskStatuses.Cancelled, "task cancelled");
        Assert.Empty(await _h.KeysAsync(Bucket));
        Assert.False(_h.Staging.Holds(taskId));
        Assert.Equal(ImageStatuses.Available, (await _h.Env.FindImageAsync(_image.Id))!.Status);

        // Nothing holds the image any more: another export (not gated: raw) runs to the end.
        var next = await _h.Exports.ExportAsync(alice, request with { ImageFormat = "raw" }, CancellationToken.None);
        await SnapshotHarness.WaitUntilAsync(async () => (await _h.Env.FindTaskAsync(next))!.Status == TaskStatuses.Finished, "second export finished");
        Assert.Equal(2, (await _h.KeysAsync(Bucket)).Count);
    }

    /// <summary>One image id per test class, chosen before the harness opens, so the gated key can name it.</summary>
    private static class ImageIdHolder
    {
        public static readonly string Id = Ids.ResourceIds.NewImageId(ExportHarness.Region);
    }
}
