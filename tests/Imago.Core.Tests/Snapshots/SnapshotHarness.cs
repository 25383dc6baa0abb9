using Imago.Core.ImageCreation;
using Imago.Core.Regions;
using Imago.Core.Snapshots;
using Imago.Core.Storage;
using Imago.Core.Tasks;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Imago.Core.Tests.Snapshots;

/// <summary>
/// The snapshot/image/task services over a SQLite file and real block stores in a data directory. Instances and
/// disks are inserted as rows with their store volumes created directly (what RunInstances will do).
/// Open a second harness on the same directory to act as a restarted service.
/// </summary>
internal sealed class SnapshotHarness : IAsyncDisposable
{
    public const string Region = "cn-hangzhou";

    private SnapshotHarness(string dataDirectory, ImagoDatabase database, RegionCatalog regions, RegionStores stores, IEnumerable<ITaskHandler> extraHandlers)
    {
        DataDirectory = dataDirectory;
        Database = database;
        Regions = regions;
        Stores = stores;
        var time = TimeProvider.System;
        Finalizer = new SnapshotFinalizer(database, stores);
        ITaskHandler[] handlers = [new CreateSnapshotTaskHandler(Finalizer), new CreateImageTaskHandler(database, stores, Finalizer), .. extraHandlers];
        Runner = new TaskRunner(database, handlers, time, NullLogger<TaskRunner>.Instance, new TaskRunnerOptions(Workers: 2, QueueCapacity: 8));
        Snapshots = new SnapshotService(database, stores, regions, Runner, time);
        SnapshotQueries = new SnapshotQueries(database);
        Images = new ImageCreationService(database, stores, regions, Runner, time);
        Tasks = new TaskQueries(database);
        Retention = new SnapshotRetention(database, Snapshots, time, NullLogger<SnapshotRetention>.Instance);
    }

    public SnapshotRetention Retention { get; }

    public string DataDirectory { get; }

    public ImagoDatabase Database { get; }

    public RegionCatalog Regions { get; }

    public RegionStores Stores { get; }

    public BlockStore Store => Stores[Region];

    public TaskRunner Runner { get; }

    public SnapshotFinalizer Finalizer { get; }

    public SnapshotService Snapshots { get; }

    public SnapshotQueries SnapshotQueries { get; }

    public ImageCreationService Images { get; }

    public TaskQueries Tasks { get; }

    /// <summary>Opens the services on <paramref name="dataDirectory"/>; <paramref name="startRunner"/> false leaves tasks queued.</summary>
    public static async Task<SnapshotHarness> OpenAsync(string dataDirectory, bool startRunner = true, params ITaskHandler[] extraHandlers)
    {
        var database = new ImagoDatabase(new DatabaseOptions(dataDirectory));
        await database.InitializeAsync();
        var regions = new RegionCatalog([Region, "cn-shanghai"]);
        var stores = await RegionStores.OpenAsync(dataDirectory, regions);
        var harness = new SnapshotHarness(dataDirectory, database, regions, stores, extraHandlers);
        if (startRunner)
        {
            await harness.Runner.StartAsync(CancellationToken.None);
        }

        return harness;
    }

    /// <summary>A public image row (the lineage custom images inherit).</summary>
    public async Task<ImageEntity> AddPublicImageAsync(string imageId, string platform = "Ubuntu", string productCode = "")
    {
        var image = new ImageEntity
        {
            RegionId = Region,
            Id = imageId,
            Kind = productCode.Length > 0 ? ImageKinds.Marketplace : ImageKinds.Public,
            Name = imageId,
            Status = ImageStatuses.Available,
            Progress = 100,
            OSType = "linux",
            Platform = platform,
            OSName = platform + " 22.04 64位",
            OSNameEn = platform + " 22.04 64 bit",
            Architecture = "x86_64",
            BootMode = "UEFI",
            SizeGiB = 20,
            IsSupportCloudinit = true,
            ProductCode = productCode,
            ImageVersion = productCode.Length > 0 ? "v1.2" : "",
            CreatedAt = DateTime.UtcNow,
        };
        await using var db = Database.CreateContext();
        db.Images.Add(image);
        await db.SaveChangesAsync();
        return image;
    }

    /// <summary>An instance row with a system disk (and data disks of the given sizes), volumes created in the store.</summary>
    public async Task<(InstanceEntity Instance, DiskEntity System, IReadOnlyList<DiskEntity> Data)> AddInstanceAsync(
        long accountId, string imageId, int systemGiB = 20, int[]? dataGiB = null, string status = InstanceStatuses.Running, string productCode = "")
    {
        var instance = new InstanceEntity
        {
            Id = Ids.ResourceIds.NewInstanceId(Region),
            AccountId = accountId,
            RegionId = Region,
            ZoneId = Region + "-h",
            Name = "test",
            InstanceType = "ecs.g7.large",
            ImageId = imageId,
            Status = status,
            CreatedAt = DateTime.UtcNow,
        };
        var system = await AddDiskAsync(accountId, "system", systemGiB, instance.Id, imageId, "/dev/xvda", productCode);
        var data = new List<DiskEntity>();
        foreach (var (size, i) in (dataGiB ?? []).Select((s, i) => (s, i)))
        {
            data.Add(await AddDiskAsync(accountId, "data", size, instance.Id, "", "/dev/xvd" + (char)('b' + i)));
        }

        await using var db = Database.CreateContext();
        db.Instances.Add(instance);
        await db.SaveChangesAsync();
        return (instance, system, data);
    }

    public async Task<DiskEntity> AddDiskAsync(long accountId, string type, int sizeGiB, string? instanceId = null, string imageId = "",
        string device = "", string productCode = "")
    {
        var disk = new DiskEntity
        {
            Id = Ids.ResourceIds.NewDiskId(Region),
            AccountId = accountId,
            RegionId = Region,
            ZoneId = Region + "-h",
            Type = type,
            SizeGiB = sizeGiB,
            Status = instanceId is null ? DiskStatuses.Available : DiskStatuses.InUse,
            InstanceId = instanceId,
            Device = device,
            ImageId = imageId,
            ProductCode = productCode,
            CreatedAt = DateTime.UtcNow,
        };
        await Store.CreateVolumeAsync(disk.Id, (long)sizeGiB << 30);
        await using var db = Database.CreateContext();
        db.Disks.Add(disk);
        await db.SaveChangesAsync();
        return disk;
    }

    /// <summary>Writes through an open volume and leaves the write uncommitted (as an NBD client would), then closes it.</summary>
    public async Task WriteAsync(string diskId, long offset, byte[] bytes)
    {
        await using var volume = await Store.OpenVolumeAsync(diskId);
        await volume.WriteAsync(offset, bytes);
        await volume.FlushAsync();
    }

    public async Task<byte[]> ReadSnapshotAsync(string snapshotId, long offset, int length)
    {
        await using var device = await Store.OpenSnapshotAsync(snapshotId);
        var buffer = new byte[length];
        await device.ReadAsync(offset, buffer);
        return buffer;
    }

    public async Task<ImageEntity?> FindImageAsync(string imageId)
    {
        await using var db = Database.CreateContext();
        var image = await db.Images.Include(i => i.DiskMappings).FirstOrDefaultAsync(i => i.Id == imageId);
        image?.DiskMappings.Sort((a, b) => a.Index.CompareTo(b.Index));
        return image;
    }

    public async Task<SnapshotEntity?> FindSnapshotAsync(string snapshotId)
    {
        await using var db = Database.CreateContext();
        return await db.Snapshots.FindAsync(snapshotId);
    }

    public async Task<TaskEntity?> FindTaskAsync(string taskId)
    {
        await using var db = Database.CreateContext();
        return await db.Tasks.FindAsync(taskId);
    }

    /// <summary>
    /// Polls until <paramref name="done"/> holds (bounded: fails after ~60 s, so that a hang fails the test while a
    /// busy machine does not).
    /// </summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> done, string what)
    {
        for (var i = 0; i < 1200; i++)
        {
            if (await done())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"timed out waiting for {what}");
    }

    public Task WaitForImageAsync(string imageId, string status) =>
        WaitUntilAsync(async () => (await FindImageAsync(imageId))?.Status == status, $"image {imageId} {status}");

    public Task WaitForSnapshotAsync(string snapshotId, string status) =>
        WaitUntilAsync(async () => (await FindSnapshotAsync(snapshotId))?.Status == status, $"snapshot {snapshotId} {status}");

    public async ValueTask DisposeAsync()
    {
        await Runner.DisposeAsync();
        Images.Dispose();
        await Stores.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
