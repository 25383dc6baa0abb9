using Imago.Core.Billing;
using Imago.Core.Tests.Compute;

namespace Imago.Core.Tests.Billing;

/// <summary>BillQueries.DailyAsync: the month's ledger per UTC day and currency, every day present, the caller's only.</summary>
public sealed class DailySpendTests : IAsyncLifetime
{
    private BillingHarness _h = null!;

    public async Task InitializeAsync() => _h = await BillingHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Spend_is_summed_per_day_and_totals_the_bill()
    {
        var image = await _h.Compute.AddImageAsync();
        await _h.Compute.RunOneAsync(BillingHarness.Alice, ComputeFixture.Launch(image.Id));
        // From 10:00 on March 1: 14 hours that day, 24 on March 2, 2 on March 3.
        _h.Clock.Advance(TimeSpan.FromHours(40));
        await _h.MeterAsync();

        var daily = await _h.Bills.DailyAsync(BillingHarness.Alice, "2026-03", CancellationToken.None);

        Assert.Equal(31, daily.Count);
        Assert.All(daily, d => Assert.Equal("USD", d.Currency));
        Assert.Equal(new DateOnly(2026, 3, 1), daily[0].Day);
        Assert.Equal([14 * BillingHarness.HangzhouHourly, 24 * BillingHarness.HangzhouHourly, 2 * BillingHarness.HangzhouHourly],
            daily.Take(3).Select(d => d.Amount));
        Assert.All(daily.Skip(3), d => Assert.Equal(0m, d.Amount));
        var bill = await _h.Bills.QueryAsync(BillingHarness.Alice, new BillQuery("2026-03", 1, 20, null, false), CancellationToken.None);
        Assert.Equal(bill.Lines.Sum(l => l.Amount), daily.Sum(d => d.Amount));
    }

    [Fact]
    public async Task Another_account_and_an_empty_month_have_no_spend()
    {
        var image = await _h.Compute.AddImageAsync();
        await _h.Compute.RunOneAsync(BillingHarness.Alice, ComputeFixture.Launch(image.Id));
        _h.Clock.Advance(TimeSpan.FromHours(3));
        await _h.MeterAsync();

        Assert.Empty(await _h.Bills.DailyAsync(BillingHarness.Bob, "2026-03", CancellationToken.None));
        Assert.Empty(await _h.Bills.DailyAsync(BillingHarness.Alice, "2026-04", CancellationToken.None));
    }

    [Theory]
    [InlineData(null, "MissingParameter")]
    [InlineData("2026-13", "InvalidParameter")]
    [InlineData("March", "InvalidParameter")]
    public async Task A_malformed_month_is_refused_like_the_bill(string? cycle, string code)
    {
        var error = await Assert.ThrowsAsync<Errors.EcsException>(() => _h.Bills.DailyAsync(BillingHarness.Alice, cycle, CancellationToken.None));
        Assert.StartsWith(code, error.Code);
    }
}
