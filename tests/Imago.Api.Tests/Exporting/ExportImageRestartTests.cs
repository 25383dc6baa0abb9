using Imago.Api.Tests.Infrastructure;
using Imago.Core.Buckets;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Exporting.ExportApi;
using static Imago.Api.Tests.Importing.ImportApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Exporting;

/// <summary>A service killed mid-export: after a restart the export runs again from scratch, or fails cleanly.</summary>
public sealed class ExportImageRestartTests : IAsyncLifetime
{
    private readonly ImagoServer _server = new();
    private readonly TempDirectory _temp = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task AnInterruptedExportRunsAgainFromScratchAfterRestart()
    {
        var account = await _server.CreateAccountAsync();
        var client = new EcsClient(_server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret);
        var buckets = _server.GetRequiredService<IBucketStore>();
        var (bucket, key) = await PutDiskAsync(_server, _temp, "qcow2", 0x7e);
        var (imageId, _) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key));
        await WaitForImageAsync(client, imageId);
        await buckets.CreateBucketAsync(Region, "short-lived", CancellationToken.None);
        var resumable = Text(await client.CallOkAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", bucket),
            ("ImageFormat", "qcow2"))), "TaskId");
        await WaitForTaskAsync(client, resumable);
        var broken = Text(await client.CallOkAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", "short-lived"))),
            "TaskId");
        await WaitForTaskAsync(client, broken);
        var exported = $"{imageId}_system.qcow2";

        await _server.RestartAsync(async () =>
        {
            // Rewind to a kill in the middle of both exports: tasks Processing, the objects not yet stored, a
            // half-written staging file; and the second export's bucket deleted meanwhile.
            var database = new ImagoDatabase(new DatabaseOptions(_server.DataDirectory, _server.ConnectionString));
            await using var db = database.CreateContext();
            string[] tasks = [resumable, broken];
            await db.Tasks.Where(t => tasks.Contains(t.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TaskStatuses.Processing).SetProperty(t => t.Progress, 30).SetProperty(t => t.FinishedAt, (DateTime?)null));
            await buckets.DeleteObjectAsync(Region, bucket, exported, CancellationToken.None);
            await buckets.DeleteObjectAsync(Region, "short-lived", $"{imageId}_system.raw", CancellationToken.None);
            await buckets.DeleteBucketAsync(Region, "short-lived", CancellationToken.None);
            var staging = Path.Combine(_server.DataDirectory, "exports", resumable);
            Directory.CreateDirectory(staging);
            await File.WriteAllBytesAsync(Path.Combine(staging, "disk-0.qcow2"), new byte[8192]);
        });

        client = new EcsClient(_server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret);
        var task = await WaitForTaskAsync(client, resumable);
        Assert.Equal(("Finished", "100%"), (Text(task, "TaskStatus"), Text(task, "TaskProcess")));
        var fetched = await FetchAsync(_server, _temp, bucket, exported);
        Assert.Equal(0, QemuImg.Check(fetched, "qcow2").ExitCode);
        var original = await FetchAsync(_server, _temp, bucket, key);
        Assert.True(QemuImg.Compare(original, "qcow2", fetched, "qcow2"));
        Assert.False(Directory.Exists(Path.Combine(_server.DataDirectory, "exports", resumable)));

        var failed = await WaitForTaskAsync(client, broken);
        Assert.Equal(("Failed", "InvalidOSSBucket.NotFound"), (Text(failed, "TaskStatus"), ErrorCode(failed)));
    }
}
