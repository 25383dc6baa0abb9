using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Imago.Core.Billing;

/// <summary>
/// Accrues complete hours of usage into the ledger. For each interval with hours not yet accrued before the
/// current hour, writes one ledger item per billing item and hour (prorated by the seconds of the interval in
/// the hour) and moves the interval's AccruedUntil, in one transaction. The ledger's unique key (interval, hour,
/// item) and the interval's Version make a second server or a rerun fail that transaction instead of billing twice:
/// the loser skips the interval. Time comes only from the TimeProvider.
/// </summary>
public sealed class UsageMeter(ImagoDatabase database, PriceBook prices, TimeProvider time, ILogger<UsageMeter> logger)
{
    /// <summary>Intervals read per query.</summary>
    private const int Batch = 200;

    /// <summary>Hours written per transaction (an interval left alone for months catches up in several).</summary>
    private const int HoursPerTransaction = 24 * 31;

    /// <summary>Accrues every complete hour up to now; returns how many ledger items it wrote.</summary>
    public async Task<int> AccrueAsync(CancellationToken cancellationToken)
    {
        var currentHour = Hours.Floor(time.GetUtcNow().UtcDateTime);
        var written = 0;
        long after = 0;
        while (true)
        {
            List<long> ids;
            await using (var db = database.CreateContext())
            {
                ids = await db.UsageIntervals.AsNoTracking()
                    .Where(u => !u.Settled && u.AccruedUntil < currentHour && u.Id > after)
                    .OrderBy(u => u.Id).Select(u => u.Id).Take(Batch)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
            }

            if (ids.Count == 0)
            {
                return written;
            }

            foreach (var id in ids)
            {
                written += await AccrueIntervalAsync(id, currentHour, cancellationToken).ConfigureAwait(false);
            }

            after = ids[^1];
        }
    }

    private async Task<int> AccrueIntervalAsync(long intervalId, DateTime currentHour, CancellationToken cancellationToken)
    {
        var written = 0;
        for (var step = 0; step < 1000; step++)
        {
            await using var db = database.CreateContext();
            var interval = await db.UsageIntervals.FirstOrDefaultAsync(u => u.Id == intervalId, cancellationToken).ConfigureAwait(false);
            if (interval is null || interval.Settled || interval.AccruedUntil >= currentHour && interval.EndedAt is null)
            {
                return written;
            }

            var until = interval.EndedAt is { } ended ? Min(currentHour, Hours.Ceiling(ended)) : currentHour;
            var hour = interval.AccruedUntil;
            var items = new List<LedgerItemEntity>();
            for (var n = 0; hour < until && n < HoursPerTransaction; n++, hour = hour.AddHours(1))
            {
                items.AddRange(ItemsFor(interval, hour));
            }

            interval.AccruedUntil = hour;
            interval.Settled = interval.EndedAt is { } end && hour >= end;
            interval.Version++;
            db.LedgerItems.AddRange(items);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException e)
            {
                // Another meter (a second server, an overlapping run) accrued these hours first: they are billed once.
                logger.LogDebug(e, "Usage interval {IntervalId} was accrued elsewhere", intervalId);
                return written;
            }

            written += items.Count;
            if (interval.Settled || hour >= currentHour)
            {
                return written;
            }
        }

        return written;
    }

    private IEnumerable<LedgerItemEntity> ItemsFor(UsageIntervalEntity interval, DateTime hour)
    {
        var start = Max(hour, interval.StartedAt);
        var end = interval.EndedAt is { } ended ? Min(hour.AddHours(1), ended) : hour.AddHours(1);
        if (end <= start)
        {
            yield break;
        }

        var seconds = (decimal)(end - start).TotalSeconds;
        foreach (var charge in Charges.For(interval, seconds, prices))
        {
            yield return new LedgerItemEntity
            {
                IntervalId = interval.Id,
                HourStart = hour,
                Item = charge.Item,
                AccountId = interval.AccountId,
                BillingCycle = Hours.BillingCycle(hour),
                RegionId = interval.RegionId,
                ResourceType = interval.ResourceType,
                ResourceId = interval.ResourceId,
                InstanceType = interval.InstanceType,
                ProductCode = interval.ProductCode,
                Quantity = charge.Quantity,
                Unit = charge.Unit,
                UnitPrice = charge.UnitPrice,
                Amount = charge.Amount,
                Currency = charge.Currency,
                PeriodStart = start,
                PeriodEnd = end,
            };
        }
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
