using Imago.Core.Common;
using Imago.Core.Exporting;
using Imago.Core.Tests.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Exporting;

/// <summary>
/// How the export task runs: interrupted by a restart it runs again from scratch (what the dead run staged is removed,
/// the objects come out whole), and what it puts passes --transfer-rate.
/// </summary>
public sealed class ExportTaskRunTests : IDisposable
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

    [Theory]
    [InlineData("raw")]
    [InlineData("qcow2")]
    public async Task EveryByteStoredPassesTheTransferRate(string format)
    {
        var clock = new RecordingTimeProvider();
        await using var h = await ExportHarness.OpenAsync(_dir.Path, throttle: TransferThrottle.FromMiBPerSecond(1, clock));
        await h.Buckets.CreateBucketAsync(ExportHarness.Region, Bucket, CancellationToken.None);
        var disk = ExportHarness.MakeDisk(_files, "raw", 0x51, size: 8L << 20);
        QemuImg.IoCommands(disk, "raw", "write -P 0x52 0 6M"); // data, so that a qcow2 is megabytes too
        var image = await h.AddImageAsync(Alice, [(disk, "raw")]);

        var taskId = await h.Exports.ExportAsync(new Caller(Alice), new ExportImageRequest(ExportHarness.Region, image.Id, Bucket, null, format),
            CancellationToken.None);
        await SnapshotHarness.WaitUntilAsync(async () => (await h.Env.FindTaskAsync(taskId))!.Status == TaskStatuses.Finished, "export finished");

        // At 1 MiB/s the bytes stored are worth about their size in seconds of waiting (less the 100 ms burst and the
        // real time the export took; half is a bound no machine misses), whatever the real clock did.
        var stored = (await h.Buckets.StatObjectAsync(ExportHarness.Region, Bucket, $"{image.Id}_system.{format}", CancellationToken.None)).Size;
        var seconds = stored / (double)(1 << 20);
        Assert.InRange(clock.LongestRequestedDelay, TimeSpan.FromSeconds(seconds / 2), TimeSpan.FromSeconds(seconds));
    }
}
