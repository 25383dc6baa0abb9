namespace Imago.Core.Marketplace;

/// <summary>What a vendor publishes: the product and its prices (checked by <see cref="ProductDefinitions.Check"/>).</summary>
/// <param name="RegionIds">The regions it is published in (the image is placed in each).</param>
/// <param name="HourlyPrice">Pay-as-you-go price per instance-hour, in <paramref name="Currency"/>.</param>
/// <param name="MonthlyPrice">Subscription price per instance-month.</param>
public sealed record ProductDefinition(
    string ProductCode,
    string Name,
    string Vendor,
    string ImageVersion,
    string Description,
    IReadOnlyList<string> RegionIds,
    decimal HourlyPrice,
    decimal MonthlyPrice,
    string Currency,
    bool RequiresSubscription);

/// <summary>The OS attributes of an image published from a file (an image published from an image keeps its source's).</summary>
public sealed record ProductImageAttributes(string Platform, string OSType, string Architecture, string BootMode)
{
    public static readonly ProductImageAttributes Default = new("Others Linux", "linux", "x86_64", "BIOS");
}
