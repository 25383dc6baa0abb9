using Imago.Api.Tests.Infrastructure;
using Imago.Api.Tests.Objects;
using Imago.Core.Buckets;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Importing.ImportApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Importing;

/// <summary>A service killed mid-import: after a restart the import runs again from scratch, or fails cleanly.</summary>
public sealed class ImportImageRestartTests : IAsyncLifetime
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
    public async Task AnInterruptedImportRunsAgainFromScratchAfterRestart()
    {
        var account = await _server.CreateAccountAsync();
        var client = new EcsClient(_server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret);
        var (bucket, key) = await PutDiskAsync(_server, _temp, "qcow2", 0x6d);
        var (resumable, resumableTask) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key));
        var (goneBucket, goneKey) = await PutDiskAsync(_server, _temp, "raw", 0x6e);
        var (broken, brokenTask) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", goneBucket), ("DiskDeviceMapping.1.OSSObject", goneKey));
        Assert.Equal("Available", Text(await WaitForImageAsync(client, resumable), "Status"));
        Assert.Equal("Available", Text(await WaitForImageAsync(client, broken), "Status"));
        await WaitForTaskAsync(client, resumableTask);
        await WaitForTaskAsync(client, brokenTask);
        await _server.GetRequiredService<IBucketStore>().DeleteObjectAsync(Region, goneBucket, goneKey, CancellationToken.None);

        await _server.RestartAsync(async () =>
        {
            // Rewind to a kill in the middle of the imports: images Creating, tasks Processing, no rows for the
            // snapshots yet, but the store snapshots the last run wrote are still there.
            await RewindToInterruptedAsync(_server, resumable, broken);
        });

        client = new EcsClient(_server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret);
        var resumed = await WaitForImageAsync(client, resumable);
        Assert.Equal(("Available", "100%"), (Text(resumed, "Status"), Text(resumed, "Progress")));
        var task = await WaitForTaskAsync(client, resumableTask);
        Assert.Equal(("Finished", "100%"), (Text(task, "TaskStatus"), Text(task, "TaskProcess")));
        var disks = await DisksAsync(client, await RunInstanceAsync(client, resumable));
        await QemuIoAsync(Text(disks[0], "NbdUrl"), "read -P 0x6d 1M 64k");

        Assert.Equal("CreateFailed", Text(await WaitForImageAsync(client, broken), "Status"));
        var failed = await WaitForTaskAsync(client, brokenTask);
        Assert.Equal(("Failed", "InvalidOSSObject.NotFound"), (Text(failed, "TaskStatus"), ErrorCode(failed)));
        Assert.True(await NothingLeftAsync(_server, brokenTask));
    }

    [Fact]
    public async Task A_resumed_import_does_not_read_a_bucket_another_account_now_owns()
    {
        var alice = await _server.CreateAccountAsync();
        var bob = await _server.CreateAccountAsync();
        var bucket = "handover-" + Guid.NewGuid().ToString("N")[..8];
        var path = Path.Combine(_temp.Path, "disk.raw");
        QemuImg.Create(path, "raw", 8L << 20, null);
        var objects = new OssTestClient(_server.Http, alice.AccessKeyId, alice.AccessKeySecret, Region);
        (await objects.PutBucketAsync(bucket)).AssertStatus(200);
        (await objects.PutAsync(bucket, "disk.raw", await File.ReadAllBytesAsync(path))).AssertStatus(200);
        var client = _server.ClientFor(alice);
        var (imageId, taskId) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", "disk.raw"));
        await WaitForTaskAsync(client, taskId);

        await _server.RestartAsync(async () =>
        {
            // The bucket changes hands while the service is down (same name, same key, Bob's bytes); the import is
            // rewound to a kill mid-way, so it runs again and must check the bucket again.
            var store = DirectoryBucketStore.Open(_server.DataDirectory);
            await store.DeleteObjectAsync(Region, bucket, "disk.raw", CancellationToken.None);
            await store.DeleteBucketAsync(Region, bucket, CancellationToken.None);
            await store.CreateBucketAsync(Region, bucket, bob.AccountId, CancellationToken.None);
            await using (var bobs = File.OpenRead(path))
            {
                await store.PutObjectAsync(Region, bucket, "disk.raw", bobs, null, CancellationToken.None);
            }

            await RewindToInterruptedAsync(_server, imageId);
        });

        client = _server.ClientFor(alice);
        var failed = await WaitForTaskAsync(client, taskId);
        Assert.Equal(("Failed", "InvalidOSSBucket.NotFound"), (Text(failed, "TaskStatus"), ErrorCode(failed)));
        Assert.Equal("CreateFailed", Text(await WaitForImageAsync(client, imageId), "Status"));
        Assert.True(await NothingLeftAsync(_server, taskId));
    }

    /// <summary>Leaves finished imports as a kill in their middle would: images Creating, tasks Processing, no snapshot rows.</summary>
    private static async Task RewindToInterruptedAsync(ImagoServer server, params string[] images)
    {
        var database = new ImagoDatabase(new DatabaseOptions(server.DataDirectory, server.ConnectionString));
        await using var db = database.CreateContext();
        var snapshotIds = await db.ImageDiskMappings.Where(m => images.Contains(m.ImageId)).Select(m => m.SnapshotId).ToListAsync();
        await db.ImageDiskMappings.Where(m => images.Contains(m.ImageId)).ExecuteDeleteAsync();
        await db.Snapshots.Where(s => snapshotIds.Contains(s.Id)).ExecuteDeleteAsync();
        await db.Images.Where(i => images.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, ImageStatuses.Creating).SetProperty(i => i.Progress, 40));
        await db.Tasks.Where(t => images.Contains(t.ResourceId))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TaskStatuses.Processing).SetProperty(t => t.Progress, 40).SetProperty(t => t.FinishedAt, (DateTime?)null));
    }
}
