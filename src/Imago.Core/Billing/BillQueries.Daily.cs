using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Billing;

/// <summary>One day's spend in one currency (the console's chart of daily spend).</summary>
public sealed record DailySpend(DateOnly Day, string Currency, decimal Amount);

/// <summary>The month's spend per day: the same ledger items as the bill, summed by the UTC day their period starts.</summary>
public sealed partial class BillQueries
{
    /// <summary>
    /// Every day of the billing cycle (days without charges are 0 in each currency the month has), oldest first.
    /// Summed while streaming, like the bill: memory grows with days and currencies, not with the hours behind them.
    /// </summary>
    public async Task<IReadOnlyList<DailySpend>> DailyAsync(Caller caller, string? billingCycle, CancellationToken cancellationToken)
    {
        CheckBillingCycle(billingCycle);
        var cycle = billingCycle!;
        await using var db = database.CreateContext();
        var rows = db.LedgerItems.AsNoTracking()
            .Where(l => l.AccountId == caller.AccountId && l.BillingCycle == cycle)
            .Select(l => new { l.PeriodStart, l.Currency, l.Amount })
            .AsAsyncEnumerable();
        var sums = new Dictionary<(DateOnly, string), decimal>();
        await foreach (var r in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var key = (DateOnly.FromDateTime(r.PeriodStart), r.Currency);
            sums[key] = sums.GetValueOrDefault(key) + r.Amount;
        }

        var first = DateOnly.ParseExact(cycle + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var days = Enumerable.Range(0, DateTime.DaysInMonth(first.Year, first.Month)).Select(first.AddDays);
        var currencies = sums.Keys.Select(k => k.Item2).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return [.. from day in days from currency in currencies select new DailySpend(day, currency, sums.GetValueOrDefault((day, currency)))];
    }
}
