using Imago.Core.Compute;
using Imago.Core.Compute.Nbd;
using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;
using Imago.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Imago.Core.Tests.Compute;

/// <summary>
/// A Core compute stack on a temp SQLite database and temp block stores (two regions), with helpers that make
/// images the way the image helpers do: a store snapshot holding known bytes, then the image rows.
/// </summary>
internal sealed class ComputeFixture : IAsyncDisposable
{
    public const string Region = "cn-hangzhou";
    public const string OtherRegion = "cn-shanghai";
    public const long MarkerOffset = 1 << 20;

    private readonly TempDirectory _directory;

    private ComputeFixture(TempDirectory directory, ImagoDatabase database, RegionCatalog regions, RegionStores stores, TimeProvider time)
    {
        _directory = directory;
        Database = database;
        Regions = regions;
        Stores = stores;
        Exports = new DiskExports(database, stores);
        var types = new InstanceTypeCatalog();
        var volumes = new DiskVolumes(stores, Exports, NullLogger<DiskVolumes>.Instance);
        Instances = new InstanceService(database, stores, regions, types, volumes, time, NullLogger<InstanceService>.Instance);
        Queries = new InstanceQueries(database, regions, types);
        Disks = new DiskService(database, regions, volumes);
    }

    public static Caller Alice { get; } = new(1000000000000001);

    public static Caller Bob { get; } = new(2000000000000002);

    public ImagoDatabase Database { get; }

    public RegionCatalog Regions { get; }

    public RegionStores Stores { get; }

    public BlockStore Store => Stores[Region];

    public DiskExports Exports { get; }

    public InstanceService Instances { get; }

    public InstanceQueries Queries { get; }

    public DiskService Disks { get; }

    public string DataDirectory => _directory.Path;

    /// <param name="time">The instances' clock (billing tests stand it still); default: the system's.</param>
    public static async Task<ComputeFixture> CreateAsync(TimeProvider? time = null)
    {
        var directory = new TempDirectory();
        var database = new ImagoDatabase(new DatabaseOptions(directory.Path));
        await database.InitializeAsync();
        var regions = new RegionCatalog([Region, OtherRegion]);
        var stores = await RegionStores.OpenAsync(directory.Path, regions);
        return new ComputeFixture(directory, database, regions, stores, time ?? TimeProvider.System);
    }

    /// <summary>A store snapshot of <paramref name="bytes"/> whose data has <paramref name="marker"/> at <see cref="MarkerOffset"/>.</summary>
    public async Task<string> AddStoreSnapshotAsync(string regionId, byte marker, long bytes = 64L << 20)
    {
        var store = Stores[regionId];
        var snapshotId = Ids.ResourceIds.NewSnapshotId(regionId);
        var scratch = "scratch-" + Guid.NewGuid().ToString("N");
        await store.CreateVolumeAsync(scratch, bytes);
        await using (var volume = await store.OpenVolumeAsync(scratch))
        {
            await volume.WriteAsync(MarkerOffset, Enumerable.Repeat(marker, 4096).ToArray());
        }

        await store.SnapshotAsync(scratch, snapshotId);
        await store.DeleteVolumeAsync(scratch);
        return snapshotId;
    }

    /// <summary>An image row (with its system mapping and optional data mappings) over fresh store snapshots.</summary>
    public async Task<ImageEntity> AddImageAsync(
        string? id = null,
        string regionId = Region,
        string kind = ImageKinds.Public,
        long? owner = null,
        string status = ImageStatuses.Available,
        int sizeGiB = 20,
        string architecture = "x86_64",
        string family = "",
        byte marker = 0x5a,
        IReadOnlyList<(byte? Marker, int SizeGiB)>? dataDisks = null,
        DateTime? createdAt = null)
    {
        var imageId = id ?? Ids.ResourceIds.NewImageId(regionId);
        var image = new ImageEntity
        {
            RegionId = regionId,
            Id = imageId,
            OwnerAccountId = owner,
            Kind = kind,
            Name = "image-" + imageId,
            Status = status,
            Progress = 100,
            Architecture = architecture,
            Family = family,
            SizeGiB = sizeGiB,
            OSName = "Test Linux 1",
            OSNameEn = "Test Linux 1",
            CreatedAt = createdAt ?? DateTime.UtcNow,
        };
        image.DiskMappings.Add(new ImageDiskMappingEntity
        {
            RegionId = regionId,
            ImageId = imageId,
            Index = 0,
            Type = "system",
            Device = "/dev/xvda",
            SnapshotId = await AddStoreSnapshotAsync(regionId, marker),
            SizeGiB = sizeGiB,
        });
        var index = 1;
        foreach (var (dataMarker, dataSize) in dataDisks ?? [])
        {
            image.DiskMappings.Add(new ImageDiskMappingEntity
            {
                RegionId = regionId,
                ImageId = imageId,
                Index = index,
                Type = "data",
                Device = DiskCategories.Device(index),
                SnapshotId = dataMarker is { } m ? await AddStoreSnapshotAsync(regionId, m) : null,
                SizeGiB = dataSize,
            });
            index++;
        }

        await using var db = Database.CreateContext();
        db.Images.Add(image);
        await db.SaveChangesAsync();
        return image;
    }

    /// <summary>A snapshot of <paramref name="owner"/> (row and store bytes), as CreateSnapshot would leave it.</summary>
    public async Task<string> AddSnapshotAsync(Caller owner, byte marker, string regionId = Region, string status = SnapshotStatuses.Accomplished)
    {
        var snapshotId = await AddStoreSnapshotAsync(regionId, marker);
        await using var db = Database.CreateContext();
        db.Snapshots.Add(new SnapshotEntity
        {
            Id = snapshotId,
            AccountId = owner.AccountId,
            RegionId = regionId,
            Status = status,
            Progress = 100,
            SourceDiskType = "data",
            SourceDiskSizeGiB = 1,
            CreatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
        return snapshotId;
    }

    public async Task ShareAsync(ImageEntity image, Caller with)
    {
        await using var db = Database.CreateContext();
        db.ImageShares.Add(new ImageShareEntity { RegionId = image.RegionId, ImageId = image.Id, AccountId = with.AccountId });
        await db.SaveChangesAsync();
    }

    public static LaunchRequest Launch(string imageId, string instanceType = "ecs.g7.large") =>
        new() { RegionId = Region, ImageId = imageId, InstanceType = instanceType };

    public async Task<string> RunOneAsync(Caller caller, LaunchRequest request) =>
        Assert.Single((await Instances.RunInstancesAsync(caller, request, CancellationToken.None)).InstanceIds);

    public async Task<IReadOnlyList<DiskEntity>> DisksOfAsync(Caller caller, string instanceId) =>
        (await Disks.DescribeAsync(caller, new DiskFilter { RegionId = Region, InstanceId = instanceId }, new PageRequest(PageSize: 100), CancellationToken.None)).Items.Select(d => d.Disk).ToList();

    /// <summary>One running instance of <paramref name="image"/> for Alice, and its system disk.</summary>
    public async Task<(string InstanceId, DiskEntity SystemDisk)> RunWithSystemDiskAsync(ImageEntity image)
    {
        var instanceId = await RunOneAsync(Alice, Launch(image.Id));
        return (instanceId, Assert.Single(await DisksOfAsync(Alice, instanceId)));
    }

    /// <summary>Reads <paramref name="length"/> bytes of a disk's volume straight from the store (no connection may hold it).</summary>
    public async Task<byte[]> ReadVolumeAsync(string diskId, long offset, int length, string regionId = Region)
    {
        var buffer = new byte[length];
        await using var volume = await Stores[regionId].OpenVolumeAsync(diskId);
        await volume.ReadAsync(offset, buffer);
        return buffer;
    }

    public async ValueTask DisposeAsync()
    {
        await Exports.DisposeAsync();
        await Stores.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
