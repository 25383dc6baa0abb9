using Imago.Core.Billing;
using Imago.Core.Compute;
using Imago.Core.Images;
using Imago.Core.Snapshots;
using Imago.Core.Tasks;
using Imago.Core.Tests.Compute;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Imago.Core.Tests.Billing;

/// <summary>
/// The compute fixture (two regions) on a wall clock that stands still until advanced, with snapshots, image
/// changes, sharing, the meter, the bill and the price quotes over a known price book.
/// </summary>
internal sealed class BillingHarness : IAsyncDisposable
{
    public const string Region = ComputeFixture.Region;
    public const string OtherRegion = ComputeFixture.OtherRegion;
    public const string InstanceType = "ecs.g7.large";
    public const decimal HangzhouHourly = 0.10m;
    public const decimal HangzhouSnapshotGiBMonth = 0.03m;
    public const decimal ShanghaiHourly = 0.70m;
    public const decimal ShanghaiSnapshotGiBMonth = 0.15m;
    public const int HoursPerMonth = 720;
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private BillingHarness(ComputeFixture compute, WallClock clock, TaskRunner runner)
    {
        Compute = compute;
        Clock = clock;
        Runner = runner;
        Prices = TestPriceBook();
        Snapshots = new SnapshotService(compute.Database, compute.Stores, compute.Regions, runner, clock);
        Images = new ImageChanges(compute.Database, compute.Regions);
        Bills = new BillQueries(compute.Database);
        Quotes = new PriceQuotes(compute.Database, compute.Regions, new InstanceTypeCatalog(), Prices);
    }

    public ComputeFixture Compute { get; }

    public WallClock Clock { get; }

    public TaskRunner Runner { get; }

    public PriceBook Prices { get; }

    public SnapshotService Snapshots { get; }

    public ImageChanges Images { get; }

    public BillQueries Bills { get; }

    public PriceQuotes Quotes { get; }

    public static Caller Alice => ComputeFixture.Alice;

    public static Caller Bob => ComputeFixture.Bob;

    public static async Task<BillingHarness> CreateAsync()
    {
        var clock = new WallClock(Start);
        var compute = await ComputeFixture.CreateAsync(clock);
        var finalizer = new SnapshotFinalizer(compute.Database, compute.Stores);
        var runner = new TaskRunner(compute.Database, [new CreateSnapshotTaskHandler(finalizer)], clock, NullLogger<TaskRunner>.Instance,
            new TaskRunnerOptions(Workers: 1, QueueCapacity: 8));
        await runner.StartAsync(CancellationToken.None);
        return new BillingHarness(compute, clock, runner);
    }

    public static PriceBook TestPriceBook() => new(new Dictionary<string, RegionPrices>
    {
        [Region] = new("USD", new Dictionary<string, decimal> { [InstanceType] = HangzhouHourly, ["ecs.c7.large"] = 0.05m }, HangzhouSnapshotGiBMonth),
        [OtherRegion] = new("CNY", new Dictionary<string, decimal> { [InstanceType] = ShanghaiHourly, ["ecs.c7.large"] = 0.35m }, ShanghaiSnapshotGiBMonth),
    }, HoursPerMonth);

    /// <summary>A new meter on the same database and clock (a second server is another one).</summary>
    public UsageMeter NewMeter() => new(Compute.Database, Prices, Clock, NullLogger<UsageMeter>.Instance);

    public Task<int> MeterAsync() => NewMeter().AccrueAsync(CancellationToken.None);

    /// <summary>A published product and its Marketplace image in <paramref name="regionId"/>.</summary>
    public async Task<ImageEntity> AddMarketplaceImageAsync(string productCode, decimal hourly, string currency = "USD", string regionId = Region)
    {
        var image = await Compute.AddImageAsync(regionId: regionId, kind: ImageKinds.Marketplace);
        await using var db = Compute.Database.CreateContext();
        db.MarketplaceProducts.Add(new MarketplaceProductEntity
        {
            ProductCode = productCode,
            Name = productCode,
            Vendor = "Vendor",
            Status = MarketplaceProductStatuses.Published,
            Currency = currency,
            HourlyPrice = hourly,
            MonthlyPrice = hourly * 500,
            RegionIds = regionId,
            ImageId = image.Id,
        });
        await db.Images.Where(i => i.RegionId == regionId && i.Id == image.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.ProductCode, productCode));
        await db.SaveChangesAsync();
        image.ProductCode = productCode;
        return image;
    }

    /// <summary>A custom image of <paramref name="owner"/> whose lineage carries <paramref name="productCode"/> (as CreateImage leaves it).</summary>
    public async Task<ImageEntity> AddCustomImageAsync(Caller owner, string productCode = "")
    {
        var image = await Compute.AddImageAsync(kind: ImageKinds.Custom, owner: owner.AccountId);
        await using var db = Compute.Database.CreateContext();
        await db.Images.Where(i => i.RegionId == Region && i.Id == image.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.ProductCode, productCode));
        image.ProductCode = productCode;
        return image;
    }

    public async Task SetProductStatusAsync(string productCode, string status)
    {
        await using var db = Compute.Database.CreateContext();
        await db.MarketplaceProducts.Where(p => p.ProductCode == productCode).ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, status));
    }

    /// <summary>CreateSnapshot of a disk, waited until accomplished (bounded); returns the row.</summary>
    public async Task<SnapshotEntity> SnapshotAsync(Caller caller, string diskId)
    {
        var id = await Snapshots.CreateAsync(caller, new CreateSnapshotRequest(null, diskId), CancellationToken.None);
        for (var i = 0; i < 400; i++)
        {
            await using var db = Compute.Database.CreateContext();
            if (await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id) is { Status: SnapshotStatuses.Accomplished } done)
            {
                return done;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"snapshot {id} did not finish");
    }

    /// <summary>An image row of <paramref name="owner"/> mapping <paramref name="snapshotId"/> (what CreateImage from a snapshot leaves).</summary>
    public async Task<ImageEntity> ImageOfSnapshotAsync(Caller owner, string snapshotId)
    {
        var image = await AddCustomImageAsync(owner);
        await using var db = Compute.Database.CreateContext();
        await db.ImageDiskMappings.Where(m => m.RegionId == Region && m.ImageId == image.Id && m.Index == 0)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.SnapshotId, snapshotId));
        return image;
    }

    public async Task<List<LedgerItemEntity>> LedgerAsync(Caller caller)
    {
        await using var db = Compute.Database.CreateContext();
        var items = await db.LedgerItems.AsNoTracking().Where(l => l.AccountId == caller.AccountId).ToListAsync();
        return [.. items.OrderBy(l => l.HourStart).ThenBy(l => l.ResourceId, StringComparer.Ordinal).ThenBy(l => l.Item, StringComparer.Ordinal)];
    }

    public async Task<List<UsageIntervalEntity>> IntervalsAsync(string resourceId)
    {
        await using var db = Compute.Database.CreateContext();
        return await db.UsageIntervals.AsNoTracking().Where(u => u.ResourceId == resourceId).OrderBy(u => u.Id).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Runner.DisposeAsync();
        await Compute.DisposeAsync();
    }
}

/// <summary>A wall clock that stands still until set or advanced (timers and timestamps stay the system's).</summary>
internal sealed class WallClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public void Set(DateTimeOffset at) => Interlocked.Exchange(ref _ticks, at.UtcTicks);
}
