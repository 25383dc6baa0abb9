using Imago.Core.Billing;
using Imago.Core.Tests.Compute;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Billing;

/// <summary>The metering job: idempotent (a rerun, two servers at once), and the bill and quotes built on it.</summary>
public sealed class MeteringTests : IAsyncLifetime
{
    private BillingHarness _h = null!;

    public async Task InitializeAsync() => _h = await BillingHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static Caller Alice => BillingHarness.Alice;

    private static Caller Bob => BillingHarness.Bob;

    [Fact]
    public async Task A_rerun_bills_nothing_twice()
    {
        var image = await _h.AddMarketplaceImageAsync("cmjj0100", 0.5m);
        await _h.Compute.RunOneAsync(Alice, ComputeFixture.Launch(image.Id));
        _h.Clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(10, await _h.MeterAsync());
        Assert.Equal(0, await _h.MeterAsync());
        Assert.Equal(10, (await _h.LedgerAsync(Alice)).Count);
    }

    [Fact]
    public async Task Two_meters_at_once_on_one_database_bill_each_hour_once()
    {
        var image = await _h.AddMarketplaceImageAsync("cmjj0101", 0.5m);
        for (var i = 0; i < 4; i++)
        {
            await _h.Compute.RunOneAsync(i % 2 == 0 ? Alice : Bob, ComputeFixture.Launch(image.Id));
        }

        _h.Clock.Advance(TimeSpan.FromHours(30));
        var written = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => _h.NewMeter().AccrueAsync(CancellationToken.None))));

        var ledger = (await _h.LedgerAsync(Alice)).Concat(await _h.LedgerAsync(Bob)).ToList();
        Assert.Equal(4 * 30 * 2, ledger.Count);
        Assert.Equal(ledger.Count, written.Sum());
        Assert.Equal(ledger.Count, ledger.Select(l => (l.IntervalId, l.HourStart, l.Item)).Distinct().Count());
        Assert.Equal(4 * 30 * (0.5m + BillingHarness.HangzhouHourly), ledger.Sum(l => l.Amount));
    }

    [Fact]
    public async Task The_ledger_refuses_a_second_item_for_the_same_interval_hour_and_item()
    {
        var image = await _h.Compute.AddImageAsync();
        await _h.Compute.RunOneAsync(Alice, ComputeFixture.Launch(image.Id));
        _h.Clock.Advance(TimeSpan.FromHours(1));
        await _h.MeterAsync();
        var item = Assert.Single(await _h.LedgerAsync(Alice));

        await using var db = _h.Compute.Database.CreateContext();
        db.LedgerItems.Add(new LedgerItemEntity
        {
            IntervalId = item.IntervalId, HourStart = item.HourStart, Item = item.Item, AccountId = item.AccountId, BillingCycle = item.BillingCycle,
            RegionId = item.RegionId, ResourceType = item.ResourceType, ResourceId = item.ResourceId, Unit = item.Unit, Currency = item.Currency,
        });
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [Fact]
    public async Task The_bill_sums_per_resource_and_item_and_shows_only_the_callers_charges()
    {
        var image = await _h.AddMarketplaceImageAsync("cmjj0102", 0.5m);
        var alices = await _h.Compute.RunOneAsync(Alice, ComputeFixture.Launch(image.Id));
        var bobs = await _h.Compute.RunOneAsync(Bob, ComputeFixture.Launch(image.Id));
        _h.Clock.Advance(TimeSpan.FromHours(3));
        await _h.MeterAsync();

        var items = await _h.Bills.QueryAsync(Alice, new BillQuery("2026-03", 1, 20, null, IsBillingItem: true), CancellationToken.None);
        Assert.Equal(2, items.TotalCount);
        Assert.All(items.Lines, l => Assert.Equal(alices, l.ResourceId));
        var fee = Assert.Single(items.Lines, l => l.BillingItem == LedgerItems.ImageFee);
        Assert.Equal((BillQueries.Market, "cmjj0102", 1.5m, 3m), (fee.ProductCode, fee.CommodityCode, fee.Amount, fee.Usage!.Value));
        var compute = Assert.Single(items.Lines, l => l.BillingItem == LedgerItems.InstanceType);
        Assert.Equal((BillQueries.Ecs, 3 * BillingHarness.HangzhouHourly, 3 * 3600L), (compute.ProductCode, compute.Amount, compute.ServiceSeconds));

        var perResource = await _h.Bills.QueryAsync(Alice, new BillQuery("2026-03", 1, 20, BillQueries.Market, IsBillingItem: false), CancellationToken.None);
        Assert.Equal(1.5m, Assert.Single(perResource.Lines).Amount);
        Assert.Null(perResource.Lines[0].BillingItem);

        var bob = await _h.Bills.QueryAsync(Bob, new BillQuery("2026-03", 1, 20, null, false), CancellationToken.None);
        Assert.All(bob.Lines, l => Assert.Equal(bobs, l.ResourceId));
        Assert.Empty((await _h.Bills.QueryAsync(Alice, new BillQuery("2026-04", 1, 20, null, false), CancellationToken.None)).Lines);
    }

    [Fact]
    public async Task An_hour_belongs_to_the_month_it_starts_in()
    {
        _h.Clock.Set(new DateTimeOffset(2026, 3, 31, 23, 0, 0, TimeSpan.Zero));
        var image = await _h.Compute.AddImageAsync();
        await _h.Compute.RunOneAsync(Alice, ComputeFixture.Launch(image.Id));
        _h.Clock.Advance(TimeSpan.FromHours(2));
        await _h.MeterAsync();

        Assert.Equal(["2026-03", "2026-04"], (await _h.LedgerAsync(Alice)).Select(l => l.BillingCycle));
    }

    [Theory]
    [InlineData("2026-3", "BillingCycle")]
    [InlineData("2026-13", "BillingCycle")]
    [InlineData("march", "BillingCycle")]
    public async Task A_malformed_bill_query_is_InvalidParameter(string cycle, string parameter)
    {
        var error = await Assert.ThrowsAsync<Errors.EcsException>(() => _h.Bills.QueryAsync(Alice, new BillQuery(cycle, 1, 20, null, false), CancellationToken.None));
        Assert.Equal("InvalidParameter", error.Code);
        Assert.Contains(parameter, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribePrice_for_one_hour_equals_the_bill_of_a_full_hour()
    {
        var image = await _h.AddMarketplaceImageAsync("cmjj0103", 0.37m);
        var quote = await _h.Quotes.QuoteAsync(Alice, new PriceQuoteRequest(BillingHarness.Region, "instance", BillingHarness.InstanceType, image.Id,
            null, [], "Hour", null, null), CancellationToken.None);
        await _h.Compute.RunOneAsync(Alice, ComputeFixture.Launch(image.Id));
        _h.Clock.Advance(TimeSpan.FromHours(1));
        await _h.MeterAsync();

        var ledger = await _h.LedgerAsync(Alice);
        Assert.Equal(quote.Price, Assert.Single(ledger, l => l.Item == LedgerItems.InstanceType).Amount);
        Assert.Equal(quote.MarketplaceImage!.Price, Assert.Single(ledger, l => l.Item == LedgerItems.ImageFee).Amount);
        Assert.Equal(("USD", "cmjj0103"), (quote.MarketplaceImage.Currency, quote.MarketplaceImage.ProductCode));
    }

    [Fact]
    public async Task DescribePrice_multiplies_by_unit_period_and_amount_and_leaves_free_images_without_a_marketplace_price()
    {
        var image = await _h.Compute.AddImageAsync();
        var quote = await _h.Quotes.QuoteAsync(Alice, new PriceQuoteRequest(ComputeFixture.OtherRegion, null, BillingHarness.InstanceType, null,
            new QuotedDisk("cloud_essd", 40), [new QuotedDisk(null, 100)], "Month", 2, 3), CancellationToken.None);
        Assert.Equal(BillingHarness.ShanghaiHourly * BillingHarness.HoursPerMonth * 2 * 3, quote.Price);
        Assert.Equal("CNY", quote.Currency);
        Assert.Null(quote.MarketplaceImage);

        var free = await _h.Quotes.QuoteAsync(Alice, new PriceQuoteRequest(BillingHarness.Region, null, BillingHarness.InstanceType, image.Id,
            null, [], null, null, null), CancellationToken.None);
        Assert.Null(free.MarketplaceImage);
    }

    [Fact]
    public async Task DescribePrice_does_not_price_another_accounts_image()
    {
        var alices = await _h.AddCustomImageAsync(Alice, "");
        var error = await Assert.ThrowsAsync<Errors.EcsException>(() => _h.Quotes.QuoteAsync(Bob,
            new PriceQuoteRequest(BillingHarness.Region, null, BillingHarness.InstanceType, alices.Id, null, [], null, null, null), CancellationToken.None));
        Assert.Equal("InvalidImageId.NotFound", error.Code);
    }
}
