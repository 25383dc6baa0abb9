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

namespace Imago.Api.Tests.Buckets;

/// <summary>An import task checks its bucket again when it runs: a bucket deleted and made again by another account is not read.</summary>
public sealed class BucketOwnershipRestartTests : IAsyncLifetime
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
            // The bucket changes hands while the service is down; then the import is rewound to a kill mid-way.
            var store = DirectoryBucketStore.Open(_server.DataDirectory);
            await store.DeleteObjectAsync(Region, bucket, "disk.raw", CancellationToken.None);
            await store.DeleteBucketAsync(Region, bucket, CancellationToken.None);
            await store.CreateBucketAsync(Region, bucket, bob.AccountId, CancellationToken.None);
            await using (var bobs = File.OpenRead(path))
            {
                await store.PutObjectAsync(Region, bucket, "disk.raw", bobs, null, CancellationToken.None);
            }

            var database = new ImagoDatabase(new DatabaseOptions(_server.DataDirectory, _server.ConnectionString));
            await using var db = database.CreateContext();
            var snapshotIds = await db.ImageDiskMappings.Where(m => m.ImageId == imageId).Select(m => m.SnapshotId).ToListAsync();
            await db.ImageDiskMappings.Where(m => m.ImageId == imageId).ExecuteDeleteAsync();
            await db.Snapshots.Where(s => snapshotIds.Contains(s.Id)).ExecuteDeleteAsync();
            await db.Images.Where(i => i.Id == imageId).ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, ImageStatuses.Creating).SetProperty(i => i.Progress, 40));
            await db.Tasks.Where(t => t.Id == taskId)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TaskStatuses.Processing).SetProperty(t => t.Progress, 40).SetProperty(t => t.FinishedAt, (DateTime?)null));
        });

        client = _server.ClientFor(alice);
        var failed = await WaitForTaskAsync(client, taskId);
        Assert.Equal(("Failed", "InvalidOSSBucket.NotFound"), (Text(failed, "TaskStatus"), ErrorCode(failed)));
        Assert.Equal("CreateFailed", Text(await WaitForImageAsync(client, imageId), "Status"));
        Assert.True(await NothingLeftAsync(_server, taskId));
    }
}
