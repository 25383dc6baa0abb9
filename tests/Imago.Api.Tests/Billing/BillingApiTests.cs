using System.Globalization;
using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;
using Imago.Cli;
using static Imago.Api.Tests.Compute.ComputeApi;

namespace Imago.Api.Tests.Billing;

/// <summary>DescribePrice and QueryInstanceBill over HTTP, on a server whose clock stands still until advanced.</summary>
public sealed class BillingApiTests(BillingServer fixture) : IClassFixture<BillingServer>
{
    private ImagoServer Server => fixture.Server;

    [Fact]
    public async Task DescribePrice_matches_the_bill_for_the_same_hour()
    {
        var client = await ClientAsync(Server);
        var image = await fixture.AddMarketplaceImageAsync("cmjj7001", 0.42m);
        var price = (await client.CallOkAsync("DescribePrice", Params(("RegionId", Region), ("ResourceType", "instance"), ("InstanceType", "ecs.g7.large"),
            ("ImageId", image), ("SystemDisk.Category", "cloud_essd"), ("SystemDisk.Size", "40"), ("DataDisk.1.Category", "cloud_essd"),
            ("DataDisk.1.Size", "100"), ("PriceUnit", "Hour"))))["PriceInfo"]!;
        var instancePrice = price["Price"]!;
        Assert.Equal("USD", Text(instancePrice, "Currency"));
        Assert.Equal(instancePrice["OriginalPrice"]!.GetValue<decimal>(), instancePrice["TradePrice"]!.GetValue<decimal>());
        Assert.Equal(0m, instancePrice["DiscountPrice"]!.GetValue<decimal>());
        Assert.Contains(instancePrice["DetailInfos"]!["DetailInfo"]!.AsArray(), d => Text(d, "Resource") == "instanceType");
        Assert.NotNull(price["Rules"]!["Rule"]!.AsArray());
        var marketplace = price["RelatedPrice"]!["MarketplaceImagePrice"]!;
        Assert.Equal(("USD", 0.42m), (Text(marketplace, "Currency"), marketplace["TradePrice"]!.GetValue<decimal>()));

        await client.CallOkAsync("RunInstances", Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large")));
        await fixture.AdvanceAsync("1h");
        var items = await BillItemsAsync(client, isBillingItem: true);

        Assert.Equal(instancePrice["TradePrice"]!.GetValue<decimal>(), Amount(items, "InstanceType"));
        Assert.Equal(marketplace["TradePrice"]!.GetValue<decimal>(), Amount(items, "ImageFee"));
        var fee = items.Single(i => Text(i, "BillingItem") == "ImageFee");
        Assert.Equal(("market", "cmjj7001", "1", "Hour", "USD/Hour"), (Text(fee, "ProductCode"), Text(fee, "CommodityCode"), Text(fee, "Usage"),
            Text(fee, "UsageUnit"), Text(fee, "ListPriceUnit")));
    }

    [Fact]
    public async Task QueryInstanceBill_answers_the_BSS_shape_per_resource_and_only_the_callers_charges()
    {
        var (client, account) = await Server.CreateClientAsync();
        var other = await ClientAsync(Server);
        var image = await AddImageAsync(Server, 0x11);
        var run = await client.CallOkAsync("RunInstances", Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large"), ("Amount", "2")));
        await fixture.AdvanceAsync("2h");

        var answer = await client.CallOkAsync("QueryInstanceBill", Params(("BillingCycle", "2026-03")));
        Assert.Equal(("Successful!", true), (Text(answer, "Message"), answer["Success"]!.GetValue<bool>()));
        var data = answer["Data"]!;
        Assert.Equal(("2026-03", account.AccountId.ToString(CultureInfo.InvariantCulture)), (Text(data, "BillingCycle"), Text(data, "AccountID")));
        Assert.Equal((2, 1, 20), (data["TotalCount"]!.GetValue<int>(), data["PageNum"]!.GetValue<int>(), data["PageSize"]!.GetValue<int>()));
        var ids = run["InstanceIdSets"]!["InstanceIdSet"]!.AsArray().Select(i => i!.GetValue<string>()).Order(StringComparer.Ordinal);
        var items = data["Items"]!["Item"]!.AsArray();
        Assert.Equal(ids, items.Select(i => Text(i, "InstanceID")));
        Assert.All(items, i =>
        {
            Assert.Equal(("ecs", "PayAsYouGo", "PayAsYouGoBill", "ecs.g7.large", "USD"), (Text(i, "ProductCode"), Text(i, "SubscriptionType"), Text(i, "Item"),
                Text(i, "InstanceSpec"), Text(i, "Currency")));
            Assert.Null(i!["BillingItem"]);
            Assert.Equal("7200", Text(i, "ServicePeriod"));
        });

        var page = (await client.CallOkAsync("QueryInstanceBill", Params(("BillingCycle", "2026-03"), ("PageNum", "2"), ("PageSize", "1"))))["Data"]!;
        Assert.Equal((2, 1), (page["TotalCount"]!.GetValue<int>(), page["Items"]!["Item"]!.AsArray().Count));

        var theirs = (await other.CallOkAsync("QueryInstanceBill", Params(("BillingCycle", "2026-03"))))["Data"]!;
        Assert.Equal(0, theirs["TotalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task QueryInstanceBill_takes_the_BSS_version_too_and_other_actions_do_not()
    {
        var client = await ClientAsync(Server);
        var bss = new EcsCallOptions { Version = "2017-12-14" };
        var answer = await client.CallAsync("QueryInstanceBill", Params(("BillingCycle", "2026-03")), options: bss);
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.Status);
        (await client.CallAsync("DescribeRegions", null, options: bss)).AssertError("InvalidVersion", 400);
    }

    [Theory]
    [InlineData("QueryInstanceBill", "", "MissingParameter")]
    [InlineData("QueryInstanceBill", "BillingCycle=2026-3", "InvalidParameter")]
    [InlineData("QueryInstanceBill", "BillingCycle=2026-03&PageSize=301", "InvalidParameter")]
    [InlineData("QueryInstanceBill", "BillingCycle=2026-03&ProductCode=rds", "InvalidParameter")]
    [InlineData("DescribePrice", "RegionId=cn-hangzhou", "MissingParameter")]
    [InlineData("DescribePrice", "RegionId=cn-hangzhou&InstanceType=ecs.g7.large&PriceUnit=Week", "InvalidParameter")]
    [InlineData("DescribePrice", "RegionId=cn-hangzhou&InstanceType=ecs.g7.large&ResourceType=disk", "InvalidParameter")]
    [InlineData("DescribePrice", "RegionId=cn-hangzhou&InstanceType=ecs.g7.large&Amount=0", "InvalidParameter")]
    [InlineData("DescribePrice", "RegionId=cn-hangzhou&InstanceType=ecs.g7.large&ImageId=m-nope", "InvalidImageId.NotFound")]
    [InlineData("DescribePrice", "RegionId=cn-hangzhou&InstanceType=ecs.g7.large&DataDisk.1.Category=floppy", "InvalidDataDiskCategory.ValueNotSupported")]
    public async Task Bad_parameters_get_their_documented_codes(string action, string query, string code)
    {
        var client = await ClientAsync(Server);
        var parameters = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        var answer = await client.CallAsync(action, parameters);
        Assert.True(answer.Code?.StartsWith(code, StringComparison.Ordinal) == true, answer.Body);
        Assert.InRange((int)answer.Status, 400, 404);
    }

    [Fact]
    public async Task Imago_bill_prints_each_resource_and_item_with_totals()
    {
        var (client, account) = await Server.CreateClientAsync();
        var image = await fixture.AddMarketplaceImageAsync("cmjj7002", 1m);
        var instance = Assert.Single((await client.CallOkAsync("RunInstances", Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large"))))
            ["InstanceIdSets"]!["InstanceIdSet"]!.AsArray())!.GetValue<string>();
        await fixture.AdvanceAsync("3h");
        var hourly = (await client.CallOkAsync("DescribePrice", Params(("RegionId", Region), ("InstanceType", "ecs.g7.large"))))["PriceInfo"]!["Price"]!["TradePrice"]!
            .GetValue<decimal>();

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.Default.RunAsync(["bill", "--month", "2026-03", "--endpoint", Server.Endpoint, "--access-key-id", account.AccessKeyId,
            "--access-key-secret", account.AccessKeySecret], new CommandConsole(output, error), CancellationToken.None);
        Assert.True(exit == 0, error.ToString());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l == $"{instance}\tmarket\tImageFee\t3\tHour\t1\t3\tUSD");
        Assert.Contains(lines, l => l.StartsWith($"{instance}\tecs\tInstanceType\t3\tHour\t", StringComparison.Ordinal));
        Assert.Contains($"TOTAL\t{(3 + 3 * hourly).ToString("0.######", CultureInfo.InvariantCulture)}\tUSD", lines);
        Assert.DoesNotContain(account.AccessKeySecret, output.ToString(), StringComparison.Ordinal);

        using var json = new StringWriter();
        Assert.Equal(0, await CommandLine.Default.RunAsync(["bill", "--month", "2026-03", "--json", "--endpoint", Server.Endpoint, "--access-key-id",
            account.AccessKeyId, "--access-key-secret", account.AccessKeySecret], new CommandConsole(json, error), CancellationToken.None));
        Assert.Equal(3 + 3 * hourly, JsonNode.Parse(json.ToString())!["Totals"]!["USD"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Two_meters_on_the_servers_database_bill_each_hour_once()
    {
        var client = await ClientAsync(Server);
        var image = await fixture.AddMarketplaceImageAsync("cmjj7003", 0.5m);
        await client.CallOkAsync("RunInstances", Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large"), ("Amount", "3")));
        await fixture.AdvanceAsync("5h");

        // Two more meters (two more servers) race each other and the server's own job on one database (SQLite or PostgreSQL).
        var meters = Enumerable.Range(0, 2).Select(_ => new Imago.Core.Billing.UsageMeter(Server.GetRequiredService<Imago.Data.ImagoDatabase>(),
            Server.GetRequiredService<Imago.Core.Billing.PriceBook>(), Server.GetRequiredService<TimeProvider>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Imago.Core.Billing.UsageMeter>.Instance)).ToList();
        await Task.WhenAll(meters.Select(m => Task.Run(() => m.AccrueAsync(CancellationToken.None))));

        var items = await BillItemsAsync(client, isBillingItem: true);
        Assert.Equal(3 * 5m * 0.5m, Amount(items, "ImageFee"));
        Assert.All(items, i => Assert.Equal("5", Text(i, "Usage")));
    }

    private static async Task<List<JsonNode>> BillItemsAsync(EcsClient client, bool isBillingItem) =>
        [.. (await client.CallOkAsync("QueryInstanceBill", Params(("BillingCycle", "2026-03"), ("IsBillingItem", isBillingItem ? "true" : "false"))))
            ["Data"]!["Items"]!["Item"]!.AsArray().OfType<JsonNode>()];

    private static decimal Amount(List<JsonNode> items, string billingItem) =>
        items.Where(i => Text(i, "BillingItem") == billingItem).Sum(i => i["PretaxAmount"]!.GetValue<decimal>());

    private static string? Text(JsonNode? node, string field) => node?[field] is JsonValue value ? value.ToString() : null;
}
