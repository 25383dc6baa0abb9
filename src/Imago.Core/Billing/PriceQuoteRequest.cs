namespace Imago.Core.Billing;

/// <summary>A disk of DescribePrice (SystemDisk.* or DataDisk.N.*): checked, not priced (docs/billing.md).</summary>
public sealed record QuotedDisk(string? Category, int? SizeGiB);

/// <summary>DescribePrice for RunInstances parameters (ResourceType=instance).</summary>
/// <param name="PriceUnit">Hour, Month or Year (default Hour).</param>
/// <param name="Period">How many PriceUnits (default 1).</param>
/// <param name="Amount">How many instances (default 1).</param>
public sealed record PriceQuoteRequest(
    string RegionId,
    string? ResourceType,
    string? InstanceType,
    string? ImageId,
    QuotedDisk? SystemDisk,
    IReadOnlyList<QuotedDisk> DataDisks,
    string? PriceUnit,
    int? Period,
    int? Amount);

/// <summary>One priced part of the quote (DetailInfos.DetailInfo).</summary>
public sealed record QuoteDetail(string Resource, decimal Price);

/// <summary>The vendor's part (RelatedPrice.MarketplaceImagePrice): billed as the ImageFee item.</summary>
public sealed record MarketplaceQuote(string ProductCode, string Currency, decimal Price);

/// <summary>What DescribePrice answers: the instance's price (Price) and the Marketplace image's (RelatedPrice).</summary>
public sealed record PriceQuote(string Currency, decimal Price, IReadOnlyList<QuoteDetail> Details, MarketplaceQuote? MarketplaceImage);
