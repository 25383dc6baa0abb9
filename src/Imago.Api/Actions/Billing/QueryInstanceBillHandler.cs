using System.Globalization;
using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Billing;
using Imago.Core.Regions;

namespace Imago.Api.Actions.Billing;

/// <summary>
/// QueryInstanceBill, modelled on BSS (2017-12-14) and served on the ECS endpoint with either version:
/// <c>{"Code":"Success","Message":"Successful!","Success":true,"Data":{BillingCycle,AccountID,TotalCount,PageNum,PageSize,"Items":{"Item":[...]}}}</c>.
/// Accrues the complete hours first, so a bill is never behind the clock.
/// </summary>
internal sealed class QueryInstanceBillHandler(BillQueries bills, UsageMeter meter, RegionCatalog regions) : IEcsActionHandler
{
    public const string BssVersion = "2017-12-14";

    public string Action => "QueryInstanceBill";

    public IReadOnlyCollection<string> OtherVersions => [BssVersion];

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var cycle = p.GetString("BillingCycle", 16);
        BillQueries.CheckBillingCycle(cycle);
        var query = new BillQuery(
            cycle!,
            p.GetInt("PageNum", 1, 1_000_000) ?? 1,
            p.GetInt("PageSize", 1, BillQueries.MaxPageSize) ?? BillQueries.DefaultPageSize,
            p.GetString("ProductCode", 64),
            p.GetBool("IsBillingItem") ?? false);
        await meter.AccrueAsync(cancellationToken);
        var page = await bills.QueryAsync(request.Caller, query, cancellationToken);
        return new JsonObject
        {
            // BSS also sends Code "Success"; this endpoint never puts a Code in a success body (pop-core, ecs-api.md 5.2).
            ["Message"] = "Successful!",
            ["Success"] = true,
            ["Data"] = new JsonObject
            {
                ["BillingCycle"] = page.BillingCycle,
                ["AccountID"] = page.AccountId.ToString(CultureInfo.InvariantCulture),
                ["AccountName"] = "",
                ["TotalCount"] = page.TotalCount,
                ["PageNum"] = page.PageNum,
                ["PageSize"] = page.PageSize,
                ["Items"] = EcsJson.Wrap("Item", page.Lines.Select(l => (JsonNode?)Item(l, page.AccountId, query.IsBillingItem))),
            },
        };
    }

    private JsonObject Item(BillLine line, long accountId, bool withBillingItem)
    {
        var amount = Math.Round(line.Amount, 6) / 1.000000000000000000000000000m; // no trailing zeros
        var item = new JsonObject
        {
            ["InstanceID"] = line.ResourceId,
            ["NickName"] = line.ResourceId,
            ["OwnerID"] = accountId.ToString(CultureInfo.InvariantCulture),
            ["ProductCode"] = line.ProductCode,
            ["ProductType"] = line.ProductCode,
            ["ProductName"] = ProductName(line.ProductCode),
            ["ProductDetail"] = ProductName(line.ProductCode),
            ["CommodityCode"] = line.CommodityCode,
            ["PipCode"] = line.ProductCode,
            ["SubscriptionType"] = "PayAsYouGo",
            ["Item"] = "PayAsYouGoBill",
            ["BillingType"] = "Other",
            ["InstanceSpec"] = line.InstanceSpec,
            ["InstanceConfig"] = line.ResourceType == "snapshot" ? "" : line.InstanceSpec,
            ["Region"] = regions.Find(line.RegionId)?.LocalName ?? line.RegionId,
            ["Zone"] = "",
            ["ServicePeriod"] = line.ServiceSeconds.ToString(CultureInfo.InvariantCulture),
            ["ServicePeriodUnit"] = "Seconds",
            ["UsageStartTime"] = EcsJson.Time(line.UsageStart),
            ["UsageEndTime"] = EcsJson.Time(line.UsageEnd),
            ["Currency"] = line.Currency,
            ["PretaxGrossAmount"] = amount,
            ["PretaxAmount"] = amount,
            ["PaymentAmount"] = amount,
            ["CashAmount"] = amount,
            ["InvoiceDiscount"] = 0m,
            ["DeductedByCoupons"] = 0m,
            ["DeductedByCashCoupons"] = 0m,
            ["DeductedByPrepaidCard"] = 0m,
            ["DeductedByResourcePackage"] = "0",
            ["OutstandingAmount"] = 0m,
            ["AdjustAmount"] = 0m,
        };
        if (withBillingItem)
        {
            item["BillingItem"] = line.BillingItem;
            item["ListPrice"] = line.ListPrice is { } listPrice ? Plain(listPrice) : null;
            item["ListPriceUnit"] = line.ListPriceUnit;
            item["Usage"] = line.Usage is { } usage ? Plain(Math.Round(usage, 6)) : null;
            item["UsageUnit"] = line.UsageUnit;
        }

        return item;
    }

    /// <summary>A decimal without trailing zeros ("3", "0.42").</summary>
    private static string Plain(decimal value) => value.ToString("0.############", CultureInfo.InvariantCulture);

    private static string ProductName(string productCode) => productCode switch
    {
        BillQueries.Market => "Alibaba Cloud Marketplace image",
        BillQueries.Snapshot => "Snapshot",
        _ => "Elastic Compute Service",
    };
}
