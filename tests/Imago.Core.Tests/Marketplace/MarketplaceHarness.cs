using Imago.Core.Compute;
using Imago.Core.Compute.Nbd;
using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Core.Marketplace;
using Imago.Core.Tests.Copying;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Imago.Core.Tests.Marketplace;

/// <summary>
/// The copy harness (cn-hangzhou, cn-shanghai; snapshots, CreateImage, CopyImage) plus instances, DescribeImages and
/// the Marketplace publisher and catalog, with three accounts: a vendor's operator is not an account; Alice and Bob use
/// products, Carol receives shares.
/// </summary>
internal sealed class MarketplaceHarness : IAsyncDisposable
{
    public const string Hangzhou = CopyHarness.Source;
    public const string Shanghai = CopyHarness.Destination;
    public const long MarkerOffset = 1 << 20;

    public static readonly Caller Alice = new(1_000_000_000_000_001);
    public static readonly Caller Bob = new(1_000_000_000_000_002);
    public static readonly Caller Carol = new(1_000_000_000_000_003);

    private readonly DiskExports _exports;

    private MarketplaceHarness(CopyHarness copy, string fileDirectory)
    {
        Copy = copy;
        FileDirectory = fileDirectory;
        var env = copy.Env;
        _exports = new DiskExports(env.Database, env.Stores);
        var types = new InstanceTypeCatalog();
        Instances = new InstanceService(env.Database, env.Stores, env.Regions, types,
            new DiskVolumes(env.Stores, _exports, NullLogger<DiskVolumes>.Instance), TimeProvider.System, NullLogger<InstanceService>.Instance);
        Queries = new ImageQueries(env.Database, env.Regions, types);
        Publisher = new MarketplacePublisher(env.Database, env.Stores, env.Regions, TimeProvider.System);
        Catalog = new MarketplaceCatalog(env.Database, TimeProvider.System);
    }

    public CopyHarness Copy { get; }

    public Snapshots.SnapshotHarness Env => Copy.Env;

    public string FileDirectory { get; }

    public InstanceService Instances { get; }

    public ImageQueries Queries { get; }

    public MarketplacePublisher Publisher { get; }

    public MarketplaceCatalog Catalog { get; }

    public static async Task<MarketplaceHarness> OpenAsync(string directory)
    {
        var copy = await CopyHarness.OpenAsync(Path.Combine(directory, "data"));
        var harness = new MarketplaceHarness(copy, Path.Combine(directory, "files"));
        Directory.CreateDirectory(harness.FileDirectory);
        await using var db = copy.Env.Database.CreateContext();
        foreach (var (caller, name) in new[] { (Alice, "alice"), (Bob, "bob"), (Carol, "carol") })
        {
            db.Accounts.Add(new AccountEntity { Id = caller.AccountId, Name = name, CreatedAt = DateTime.UtcNow });
        }

        await db.SaveChangesAsync();
        return harness;
    }

    public static ProductDefinition Product(string code, bool requiresSubscription = false, params string[] regions) => new(
        code, "shop-in-a-box", "Acme Software", "2.1", "A web shop", regions.Length > 0 ? regions : [Hangzhou],
        0.089m, 43m, "USD", requiresSubscription);

    /// <summary>A 4 MiB raw image file with <paramref name="marker"/> at <see cref="MarkerOffset"/>.</summary>
    public async Task<string> RawFileAsync(byte marker)
    {
        var path = Path.Combine(FileDirectory, $"image-{marker:x2}-{Guid.NewGuid():N}.raw");
        var bytes = new byte[4 << 20];
        Array.Fill(bytes, marker, (int)MarkerOffset, 4096);
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    public async Task<MarketplaceProductEntity> PublishAsync(ProductDefinition definition, byte marker = 0x6d) =>
        await Publisher.PublishFromFileAsync(definition, await RawFileAsync(marker), null, ProductImageAttributes.Default, null, CancellationToken.None);

    public static LaunchRequest Launch(string imageId, string region = Hangzhou) =>
        new() { RegionId = region, ImageId = imageId, InstanceType = "ecs.g7.large" };

    public async Task<string> RunAsync(Caller caller, string imageId, string region = Hangzhou) =>
        Assert.Single((await Instances.RunInstancesAsync(caller, Launch(imageId, region), CancellationToken.None)).InstanceIds);

    public async Task<EcsException> RunRefusedAsync(Caller caller, string imageId, string region = Hangzhou) =>
        await Assert.ThrowsAsync<EcsException>(() => Instances.RunInstancesAsync(caller, Launch(imageId, region), CancellationToken.None));

    public async Task<InstanceEntity> InstanceAsync(string instanceId)
    {
        await using var db = Env.Database.CreateContext();
        return await db.Instances.AsNoTracking().SingleAsync(i => i.Id == instanceId);
    }

    public async Task<List<DiskEntity>> DisksAsync(string instanceId)
    {
        await using var db = Env.Database.CreateContext();
        return await db.Disks.AsNoTracking().Where(d => d.InstanceId == instanceId).OrderBy(d => d.Device).ToListAsync();
    }

    public async Task StopAsync(Caller caller, string instanceId)
    {
        await using var db = Env.Database.CreateContext();
        var instance = await db.Instances.SingleAsync(i => i.Id == instanceId && i.AccountId == caller.AccountId);
        instance.Status = InstanceStatuses.Stopped;
        instance.Version++;
        await db.SaveChangesAsync();
    }

    /// <summary>CreateImage from an instance, waited until Available.</summary>
    public async Task<ImageEntity> ImageOfInstanceAsync(Caller caller, string instanceId, string? version = null, string region = Hangzhou)
    {
        var imageId = await Env.Images.CreateAsync(caller, new ImageCreation.CreateImageRequest(region, InstanceId: instanceId, ImageVersion: version),
            CancellationToken.None);
        await Env.WaitForImageAsync(imageId, ImageStatuses.Available);
        return (await Env.FindImageAsync(imageId))!;
    }

    public async Task<ImagePage> DescribeAsync(Caller caller, ImageQuery query, string region = Hangzhou) =>
        await Queries.DescribeAsync(caller, region, query, false, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _exports.DisposeAsync();
        await Copy.DisposeAsync();
    }
}
