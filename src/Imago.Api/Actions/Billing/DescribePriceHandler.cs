using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Billing;

namespace Imago.Api.Actions.Billing;

/// <summary>
/// DescribePrice for RunInstances parameters:
/// <c>{"PriceInfo":{"Price":{OriginalPrice,DiscountPrice,TradePrice,Currency,DetailInfos:{DetailInfo:[...]}},"Rules":{"Rule":[]},
/// "RelatedPrice":{"MarketplaceImagePrice":{Currency,OriginalPrice,DiscountPrice,TradePrice}}}}</c> (docs/billing.md).
/// </summary>
internal sealed class DescribePriceHandler(PriceQuotes quotes) : IEcsActionHandler
{
    private const int MaxDataDisks = PriceQuotes.MaxDataDisks;

    public string Action => "DescribePrice";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var quote = await quotes.QuoteAsync(request.Caller, new PriceQuoteRequest(
            request.RegionId,
            p.GetString("ResourceType", 64),
            p.GetString("InstanceType", 64),
            p.GetString("ImageId", 128),
            new QuotedDisk(p.GetString("SystemDisk.Category", 64), p.GetInt("SystemDisk.Size", 1, 1_000_000)),
            [.. p.GetStructList("DataDisk", MaxDataDisks).Select(d => DataDisk(d.Index, d.Fields))],
            p.GetEnum("PriceUnit", "Hour", "Month", "Year"),
            p.GetInt("Period", 1, PriceQuotes.MaxPeriod),
            p.GetInt("Amount", 1, PriceQuotes.MaxAmount)), cancellationToken);

        var price = Money(quote.Currency, quote.Price);
        price["DetailInfos"] = EcsJson.Wrap("DetailInfo", quote.Details.Select(d => (JsonNode?)new JsonObject
        {
            ["Resource"] = d.Resource,
            ["OriginalPrice"] = d.Price,
            ["DiscountPrice"] = 0m,
            ["TradePrice"] = d.Price,
            ["SubRules"] = EcsJson.Wrap("Rule", []),
        }));
        var info = new JsonObject
        {
            ["Price"] = price,
            ["Rules"] = EcsJson.Wrap("Rule", []),
            ["RelatedPrice"] = quote.MarketplaceImage is { } image
                ? new JsonObject { ["MarketplaceImagePrice"] = Money(image.Currency, image.Price) }
                : new JsonObject(),
        };
        return new JsonObject { ["PriceInfo"] = info };
    }

    private static JsonObject Money(string currency, decimal amount) => new()
    {
        ["Currency"] = currency,
        ["OriginalPrice"] = amount,
        ["DiscountPrice"] = 0m,
        ["TradePrice"] = amount,
    };

    private static QuotedDisk DataDisk(int index, IReadOnlyDictionary<string, string> fields)
    {
        var size = fields.GetValueOrDefault("Size");
        return new QuotedDisk(
            fields.GetValueOrDefault("Category") is { Length: > 0 and <= 64 } category ? category
                : fields.ContainsKey("Category") && fields["Category"].Length > 0 ? throw Core.Errors.EcsErrors.InvalidParameter($"DataDisk.{index}.Category")
                : null,
            string.IsNullOrEmpty(size) ? null
                : int.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var gib) ? gib
                : throw Core.Errors.EcsErrors.InvalidParameter($"DataDisk.{index}.Size", "It must be an integer."));
    }
}
