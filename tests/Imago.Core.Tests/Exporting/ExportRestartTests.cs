using Imago.Core.Exporting;
using Imago.Core.Tests.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Exporting;

/// <summary>An export interrupted by a restart runs again from scratch: what the dead run staged is removed, the objects come out whole.</summary>
public sealed class ExportRestartTests : IDisposable
{
    private const long Alice = 1_000_000_000_000_301;
    private const string Bucket = "exports";

    private readonly TempDirectory _dir = new();
    private readonly TempDirectory _files = new();

    public void Dispose()
    {
        _dir.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task AnInterruptedExportRunsAgainAfterARestart()
    {
        var system = ExportHarness.MakeDisk(_files, "qcow2", 0x41);
        string taskId;
        string imageId;
        await using (var stopped = await ExportHarness.OpenAsync(_dir.Path, startRunner: false))
        {
            await stopped.Buckets.CreateBucketAsync(ExportHarness.Region, Bucket, CancellationToken.None);
            imageId = (await stopped.AddImageAsync(Alice, [(system, "qcow2")])).Id;
            taskId = await stopped.Exports.ExportAsync(new Caller(Alice), new ExportImageRequest(ExportHarness.Region, imageId, Bucket, null, "vhd"),
                CancellationToken.None);
        }

        // What a run killed mid-way would leave: a half-written staging file.
        var leftover = Path.Combine(_dir.Path, "exports", taskId);
        Directory.CreateDirectory(leftover);
        await File.WriteAllBytesAsync(Path.Combine(leftover, "disk-0.vhd"), new byte[4096]);

        await using var restarted = await ExportHarness.OpenAsync(_dir.Path);
        await SnapshotHarness.WaitUntilAsync(async () => (await restarted.Env.FindTaskAsync(taskId))!.Status == TaskStatuses.Finished, "export finished");
        var fetched = await restarted.GetObjectAsync(_files, Bucket, $"{imageId}_system.vhd");
        await ExportHarness.AssertSoundAsync(fetched, "vpc");
        Assert.True(QemuImg.Compare(system, "qcow2", fetched, "vpc"));
        Assert.False(Directory.Exists(leftover));
    }
}
