using System.Globalization;
using Imago.Core.Billing;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Billing;

/// <summary>
/// The month's charges per resource and billing item (QueryInstanceBill's BillQueries with IsBillingItem), the
/// account's own only, with totals per currency. The month defaults to the service clock's current one.
/// </summary>
public sealed class IndexModel(BillQueries bills, TimeProvider time) : ListPageModel
{
    /// <summary>A whole month fits one page in practice; more lines page on.</summary>
    public const int LinesPerPage = BillQueries.MaxPageSize;

    [BindProperty(SupportsGet = true)]
    public string? Cycle { get; set; }

    public BillPage? Result { get; private set; }

    /// <summary>The month's spend per day and currency (the chart), null when the month was refused.</summary>
    public IReadOnlyList<DailySpend>? Daily { get; private set; }

    public IEnumerable<IGrouping<string, DailySpend>> DailyByCurrency =>
        Daily?.GroupBy(d => d.Currency, StringComparer.Ordinal) ?? [];

    public IEnumerable<(string Currency, decimal Amount)> Totals =>
        Result?.Lines.GroupBy(l => l.Currency, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(l => l.Amount))) ?? [];

    public string Link(int page) => $"/console/billing?cycle={Uri.EscapeDataString(Cycle ?? "")}" + (page > 1 ? $"&page={page}" : "");

    public async Task OnGetAsync()
    {
        Cycle = string.IsNullOrWhiteSpace(Cycle) ? time.GetUtcNow().ToString("yyyy-MM", CultureInfo.InvariantCulture) : Cycle.Trim();
        Result = await ReadAsync(() => bills.QueryAsync(Caller, new BillQuery(Cycle, PageNumber, LinesPerPage, ProductCode: null, IsBillingItem: true),
                HttpContext.RequestAborted));
        if (Result is not null)
        {
            Daily = await bills.DailyAsync(Caller, Cycle, HttpContext.RequestAborted);
        }
    }

    public static string Money(decimal amount) => amount.ToString("0.######", CultureInfo.InvariantCulture);
}
