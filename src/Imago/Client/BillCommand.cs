using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Imago.Cli;

namespace Imago.Client;

/// <summary>
/// <c>imago bill [--month YYYY-MM] [--json]</c>: the caller's charges for a month (QueryInstanceBill with
/// IsBillingItem over HTTP, every page), one line per resource and billing item, a subtotal per resource and the
/// total per currency. <c>--month</c> defaults to the current UTC month of this machine.
/// </summary>
internal sealed class BillCommand : ICommand
{
    private const int PageSize = 300;
    private const int MaxPages = 10_000;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Name => "bill";

    public string Summary => $"[--month YYYY-MM] [--json] {ClientSettings.Usage}: your charges for a month, per resource and item, with totals";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = new OptionParser([.. ClientSettings.ValueOptions, "--month"], [.. ClientSettings.Flags, "--json"]).Parse(args);
        if (options.Operands.Count != 0)
        {
            throw new UsageException($"usage: imago bill [--month YYYY-MM] [--json] {ClientSettings.Usage}");
        }

        var month = options.Value("--month") ?? DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        if (!DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw new UsageException($"invalid --month '{month}' (YYYY-MM, e.g. 2026-03)");
        }

        var settings = ClientSettings.From(options, console);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var ecs = new EcsApiClient(http, settings);
        List<JsonObject> items;
        string account;
        try
        {
            (items, account) = await FetchAsync(ecs, month, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ClientException($"cannot reach {settings.Endpoint}: {e.Message}");
        }

        var totals = items.GroupBy(i => EcsApiClient.Text(i, "Currency") ?? "")
            .ToDictionary(g => g.Key, g => g.Sum(i => Amount(i)), StringComparer.Ordinal);
        if (options.Has("--json"))
        {
            var json = new JsonObject
            {
                ["BillingCycle"] = month,
                ["AccountID"] = account,
                ["Items"] = new JsonArray([.. items.Select(i => (JsonNode?)i.DeepClone())]),
                ["Totals"] = new JsonObject(totals.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)JsonValue.Create(t.Value)))),
            };
            await console.Out.WriteLineAsync(json.ToJsonString(Indented)).ConfigureAwait(false);
            return 0;
        }

        await PrintAsync(console.Out, month, account, items, totals).ConfigureAwait(false);
        return 0;
    }

    private static async Task<(List<JsonObject> Items, string Account)> FetchAsync(EcsApiClient ecs, string month, CancellationToken cancellationToken)
    {
        var items = new List<JsonObject>();
        var account = "";
        for (var page = 1; page <= MaxPages; page++)
        {
            var answer = await ecs.CallAsync("QueryInstanceBill",
                [
                    new("BillingCycle", month), new("IsBillingItem", "true"),
                    new("PageNum", page.ToString(CultureInfo.InvariantCulture)), new("PageSize", PageSize.ToString(CultureInfo.InvariantCulture)),
                ], cancellationToken).ConfigureAwait(false);
            var data = answer["Data"];
            account = EcsApiClient.Text(data, "AccountID") ?? "";
            var batch = data?["Items"]?["Item"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
            items.AddRange(batch);
            if (batch.Count < PageSize)
            {
                break;
            }
        }

        return (items, account);
    }

    private static async Task PrintAsync(TextWriter output, string month, string account, List<JsonObject> items, Dictionary<string, decimal> totals)
    {
        await output.WriteLineAsync($"Bill {month} for account {account}").ConfigureAwait(false);
        if (items.Count == 0)
        {
            await output.WriteLineAsync("no charges").ConfigureAwait(false);
            return;
        }

        await output.WriteLineAsync(string.Join('\t', "RESOURCE", "PRODUCT", "ITEM", "USAGE", "UNIT", "UNIT_PRICE", "AMOUNT", "CURRENCY")).ConfigureAwait(false);
        foreach (var resource in items.GroupBy(i => (Id: EcsApiClient.Text(i, "InstanceID") ?? "", Currency: EcsApiClient.Text(i, "Currency") ?? "")))
        {
            foreach (var item in resource)
            {
                await output.WriteLineAsync(string.Join('\t',
                    resource.Key.Id, EcsApiClient.Text(item, "ProductCode"), EcsApiClient.Text(item, "BillingItem"), EcsApiClient.Text(item, "Usage"),
                    EcsApiClient.Text(item, "UsageUnit"), EcsApiClient.Text(item, "ListPrice"), Format(Amount(item)), resource.Key.Currency)).ConfigureAwait(false);
            }

            await output.WriteLineAsync(string.Join('\t', resource.Key.Id, "", "subtotal", "", "", "", Format(resource.Sum(Amount)), resource.Key.Currency))
                .ConfigureAwait(false);
        }

        foreach (var (currency, total) in totals.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            await output.WriteLineAsync($"TOTAL\t{Format(total)}\t{currency}").ConfigureAwait(false);
        }
    }

    private static decimal Amount(JsonObject item) =>
        decimal.TryParse(EcsApiClient.Text(item, "PretaxAmount"), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) ? amount : 0;

    private static string Format(decimal amount) => amount.ToString("0.######", CultureInfo.InvariantCulture);
}
