using System.Globalization;
using Imago.Core.Errors;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Billing;

/// <summary>
/// The caller's bill for a month (QueryInstanceBill, <c>imago bill</c>): the ledger items of the billing cycle,
/// summed per resource (and per billing item with IsBillingItem). Only the caller's own items: the ledger is
/// filtered by AccountId before anything else.
/// </summary>
public sealed partial class BillQueries(ImagoDatabase database)
{
    public const int MaxPageSize = 300;
    public const int DefaultPageSize = 20;

    /// <summary>The BSS product codes of the ledger's items.</summary>
    public const string Ecs = "ecs";
    public const string Snapshot = "snapshot";
    public const string Market = "market";

    public async Task<BillPage> QueryAsync(Caller caller, BillQuery query, CancellationToken cancellationToken)
    {
        CheckBillingCycle(query.BillingCycle);
        if (query.PageNum < 1)
        {
            throw EcsErrors.InvalidParameter("PageNum", "It must be 1 or more.");
        }

        if (query.PageSize is < 1 or > MaxPageSize)
        {
            throw EcsErrors.InvalidParameter("PageSize", $"It must be 1-{MaxPageSize}.");
        }

        if (query.ProductCode is { } code && code is not (Ecs or Snapshot or Market))
        {
            throw EcsErrors.InvalidParameter("ProductCode", $"Valid values: {Ecs}, {Snapshot}, {Market}.");
        }

        var items = await SumAsync(caller, query, cancellationToken).ConfigureAwait(false);
        var lines = query.IsBillingItem ? items : PerResource(items);
        lines = [.. lines.OrderBy(l => l.RegionId, StringComparer.Ordinal).ThenBy(l => l.ResourceId, StringComparer.Ordinal)
            .ThenBy(l => l.ProductCode, StringComparer.Ordinal).ThenBy(l => l.BillingItem, StringComparer.Ordinal).ThenBy(l => l.ListPrice)];
        var page = lines.Skip((int)Math.Min(int.MaxValue, (long)(query.PageNum - 1) * query.PageSize)).Take(query.PageSize).ToList();
        return new BillPage(query.BillingCycle, caller.AccountId, lines.Count, query.PageNum, query.PageSize, page);
    }

    /// <summary>
    /// The month's ledger items summed per resource, item and price. Streamed and summed here rather than in SQL
    /// (SQLite keeps decimals as text): memory grows with the lines of the bill, not with the hours behind them.
    /// </summary>
    private async Task<List<BillLine>> SumAsync(Caller caller, BillQuery query, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var rows = db.LedgerItems.AsNoTracking()
            .Where(l => l.AccountId == caller.AccountId && l.BillingCycle == query.BillingCycle)
            .Select(l => new { l.ResourceType, l.ResourceId, l.RegionId, l.Item, l.Currency, l.Unit, l.UnitPrice, l.InstanceType, l.ProductCode,
                l.Quantity, l.Amount, l.PeriodStart, l.PeriodEnd })
            .AsAsyncEnumerable();
        var lines = new Dictionary<(string, string, string, string, string, string, decimal, string, string), BillLine>();
        await foreach (var r in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (query.ProductCode is not null && ProductOf(r.Item) != query.ProductCode)
            {
                continue;
            }

            var key = (r.ResourceType, r.ResourceId, r.RegionId, r.Item, r.Currency, r.Unit, r.UnitPrice, r.InstanceType, r.ProductCode);
            var seconds = (long)(r.PeriodEnd - r.PeriodStart).TotalSeconds;
            lines[key] = lines.TryGetValue(key, out var line)
                ? line with
                {
                    Usage = line.Usage + r.Quantity,
                    Amount = line.Amount + r.Amount,
                    UsageStart = r.PeriodStart < line.UsageStart ? r.PeriodStart : line.UsageStart,
                    UsageEnd = r.PeriodEnd > line.UsageEnd ? r.PeriodEnd : line.UsageEnd,
                    ServiceSeconds = line.ServiceSeconds + seconds,
                }
                : new BillLine(r.ResourceId, r.ResourceType, r.RegionId, ProductOf(r.Item), r.Item == LedgerItems.ImageFee ? r.ProductCode : ProductOf(r.Item),
                    r.InstanceType, r.Item, r.UnitPrice, $"{r.Currency}/{r.Unit}", r.Quantity, r.Unit, r.Amount, r.Currency, r.PeriodStart, r.PeriodEnd, seconds);
        }

        return [.. lines.Values];
    }

    /// <summary>The product an item is billed under, as BSS names products.</summary>
    public static string ProductOf(string item) => item switch
    {
        LedgerItems.ImageFee => Market,
        LedgerItems.SnapshotCapacity => Snapshot,
        _ => Ecs,
    };

    /// <summary>A valid YYYY-MM, or InvalidParameter / MissingParameter.</summary>
    public static void CheckBillingCycle(string? cycle)
    {
        if (string.IsNullOrEmpty(cycle))
        {
            throw EcsErrors.MissingParameter("BillingCycle");
        }

        if (!DateTime.TryParseExact(cycle, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) || cycle.Length != 7)
        {
            throw EcsErrors.InvalidParameter("BillingCycle", "Format: YYYY-MM.");
        }
    }

    /// <summary>Without IsBillingItem: one line per resource, product and currency, amounts summed.</summary>
    private static List<BillLine> PerResource(List<BillLine> items) =>
    [
        .. items.GroupBy(l => (l.ResourceId, l.RegionId, l.ProductCode, l.Currency)).Select(g => g.First() with
        {
            BillingItem = null,
            ListPrice = null,
            ListPriceUnit = null,
            Usage = null,
            UsageUnit = null,
            Amount = g.Sum(l => l.Amount),
            UsageStart = g.Min(l => l.UsageStart),
            UsageEnd = g.Max(l => l.UsageEnd),
            ServiceSeconds = g.Max(l => l.ServiceSeconds),
        }),
    ];
}
