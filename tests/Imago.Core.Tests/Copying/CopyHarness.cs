using Imago.Core.Common;
using Imago.Core.Copying;
using Imago.Core.Tests.Importing;
using Imago.Core.Tests.Snapshots;
using Imago.Data.Entities;
using Imago.Storage;
using Imago.Storage.Replication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Imago.Core.Tests.Copying;

/// <summary>
/// The snapshot harness (regions cn-hangzhou and cn-shanghai) with CopyImage: its service, its task handler with the
/// given transfer rate and slots per region, and the counters the handler fills. Open a second one on the same
/// directory to act as a restarted service.
/// </summary>
internal sealed class CopyHarness : IAsyncDisposable
{
    public const string Source = SnapshotHarness.Region;
    public const string Destination = "cn-shanghai";
    public const int ChunkSize = 256 * 1024;

    private CopyHarness(SnapshotHarness env, CopyImageService copies, CopyCounters counters, CopySlots slots)
    {
        Env = env;
        Copies = copies;
        Counters = counters;
        Slots = slots;
    }

    public SnapshotHarness Env { get; }

    public CopyImageService Copies { get; }

    public CopyCounters Counters { get; }

    private CopySlots Slots { get; }

    public BlockStore SourceStore => Env.Stores[Source];

    public BlockStore DestinationStore => Env.Stores[Destination];

    /// <param name="mibPerSecond">The transfer rate (0: unlimited).</param>
    public static async Task<CopyHarness> OpenAsync(string dataDirectory, double mibPerSecond = 0, int slotsPerRegion = 2)
    {
        var deferred = new DeferredTaskHandler(CopyErrors.TaskKind);
        var env = await SnapshotHarness.OpenAsync(dataDirectory, false, deferred);
        var counters = new CopyCounters();
        var slots = new CopySlots(slotsPerRegion);
        deferred.Inner = new CopyImageTaskHandler(env.Database, env.Stores, slots, TransferThrottle.FromMiBPerSecond(mibPerSecond, TimeProvider.System),
            counters, TimeProvider.System, NullLogger<CopyImageTaskHandler>.Instance);
        await env.Runner.StartAsync(CancellationToken.None);
        return new CopyHarness(env, new CopyImageService(env.Database, env.Stores, env.Regions, env.Runner, TimeProvider.System), counters, slots);
    }

    /// <summary>Random bytes (they do not deduplicate), <paramref name="chunks"/> chunks long.</summary>
    public static byte[] RandomBytes(int chunks, int seed)
    {
        var bytes = new byte[chunks * ChunkSize];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A store snapshot of <paramref name="region"/> holding <paramref name="content"/> at offset 0 of a 1 GiB disk.</summary>
    public async Task<string> AddStoreSnapshotAsync(string region, byte[] content, string? fromSnapshot = null, string? snapshotId = null)
    {
        var store = Env.Stores[region];
        var volume = "d-tmp" + Guid.NewGuid().ToString("N")[..12];
        if (fromSnapshot is null)
        {
            await store.CreateVolumeAsync(volume, 1L << 30);
        }
        else
        {
            await store.CreateVolumeFromSnapshotAsync(fromSnapshot, volume);
        }

        await using (var device = await store.OpenVolumeAsync(volume))
        {
            await device.WriteAsync(0, content);
            await device.FlushAsync();
        }

        var id = snapshotId ?? Ids.ResourceIds.NewSnapshotId(region);
        await store.SnapshotAsync(volume, id);
        await store.DeleteVolumeAsync(volume);
        return id;
    }

    /// <summary>An Available custom image of <paramref name="owner"/> in the source region over the given store snapshots (system first).</summary>
    public async Task<ImageEntity> AddCustomImageAsync(long owner, IReadOnlyList<string> snapshotIds, string name = "", string status = ImageStatuses.Available,
        string productCode = "")
    {
        var id = Ids.ResourceIds.NewImageId(Source);
        var image = new ImageEntity
        {
            RegionId = Source,
            Id = id,
            OwnerAccountId = owner,
            Kind = ImageKinds.Custom,
            Name = name,
            Status = status,
            Progress = 100,
            Platform = "Ubuntu",
            OSName = "Ubuntu 22.04 64位",
            BootMode = "UEFI",
            SizeGiB = 1,
            ProductCode = productCode,
            CreatedAt = DateTime.UtcNow,
            DiskMappings = snapshotIds.Select((s, i) => new ImageDiskMappingEntity
            {
                RegionId = Source,
                ImageId = id,
                Index = i,
                Type = i == 0 ? "system" : "data",
                Device = "/dev/xvd" + (char)('a' + i),
                SnapshotId = s,
                SizeGiB = 1,
            }).ToList(),
        };
        await using var db = Env.Database.CreateContext();
        db.Images.Add(image);
        db.Snapshots.AddRange(snapshotIds.Select((s, i) => new SnapshotEntity
        {
            Id = s,
            AccountId = owner,
            RegionId = Source,
            Status = SnapshotStatuses.Accomplished,
            Progress = 100,
            SourceDiskType = i == 0 ? "system" : "data",
            SourceDiskSizeGiB = 1,
            ProductCode = productCode,
            DiskImageId = id,
            CreatedAt = DateTime.UtcNow,
        }));
        await db.SaveChangesAsync();
        return image;
    }

    /// <summary>Copies a snapshot into the destination store under the same id (as the public-image seeder puts a public image in every region).</summary>
    public Task SeedDestinationAsync(string snapshotId) => SnapshotReplicator.ReplicateAsync(SourceStore, snapshotId, DestinationStore);

    public async Task ShareAsync(string imageId, long account)
    {
        await using var db = Env.Database.CreateContext();
        db.ImageShares.Add(new ImageShareEntity { RegionId = Source, ImageId = imageId, AccountId = account, SharedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    public async Task<byte[]> ReadAsync(BlockStore store, string snapshotId, int length)
    {
        await using var device = await store.OpenSnapshotAsync(snapshotId);
        var buffer = new byte[length];
        await device.ReadAsync(0, buffer);
        return buffer;
    }

    public async Task<List<ResourceTagEntity>> TagsAsync(string imageId)
    {
        await using var db = Env.Database.CreateContext();
        return await db.Tags.Where(t => t.ResourceId == imageId).ToListAsync();
    }

    public Task WaitUntilAsync(Func<Task<bool>> done, string what) => SnapshotHarness.WaitUntilAsync(done, what);

    public async ValueTask DisposeAsync()
    {
        await Env.DisposeAsync();
        Copies.Dispose();
        Slots.Dispose();
    }
}
