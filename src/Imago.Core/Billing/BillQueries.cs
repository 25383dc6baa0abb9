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
public sealed class BillQueries(ImagoDatabase database)
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

        await using var db = database.CreateContext();
        // Summed here, not in SQL: SQLite keeps decimals as text. An account's month is bounded (items per resource-hour).
        var rows = await db.LedgerItems.AsNoTracking()
            .Where(l => l.AccountId == caller.AccountId && l.BillingCycle == query.BillingCycle)
            .Select(l => new { l.ResourceType, l.ResourceId, l.RegionId, l.Item, l.Currency, l.Unit, l.UnitPrice, l.InstanceType, l.ProductCode,
                l.Quantity, l.Amount, l.PeriodStart, l.PeriodEnd })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var items = rows
            .Where(r => query.ProductCode is null || ProductOf(r.Item) == query.ProductCode)
            .GroupBy(r => (r.ResourceType, r.ResourceId, r.RegionId, r.Item, r.Currency, r.Unit, r.UnitPrice, r.InstanceType, r.ProductCode))
            .Select(g => new BillLine(
                g.Key.ResourceId, g.Key.ResourceType, g.Key.RegionId, ProductOf(g.Key.Item),
                g.Key.Item == LedgerItems.ImageFee ? g.Key.ProductCode : ProductOf(g.Key.Item),
                g.Key.InstanceType, g.Key.Item, g.Key.UnitPrice, $"{g.Key.Currency}/{g.Key.Unit}", g.Sum(r => r.Quantity), g.Key.Unit,
                g.Sum(r => r.Amount), g.Key.Currency, g.Min(r => r.PeriodStart), g.Max(r => r.PeriodEnd),
                (long)g.Sum(r => (r.PeriodEnd - r.PeriodStart).TotalSeconds)))
            .ToList();
        var lines = query.IsBillingItem ? items : PerResource(items);
        lines = [.. lines.OrderBy(l => l.RegionId, StringComparer.Ordinal).ThenBy(l => l.ResourceId, StringComparer.Ordinal)
            .ThenBy(l => l.ProductCode, StringComparer.Ordinal).ThenBy(l => l.BillingItem, StringComparer.Ordinal).ThenBy(l => l.ListPrice)];
        var page = lines.Skip((int)Math.Min(int.MaxValue, (long)(query.PageNum - 1) * query.PageSize)).Take(query.PageSize).ToList();
        return new BillPage(query.BillingCycle, caller.AccountId, lines.Count, query.PageNum, query.PageSize, page);
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
