using Imago.Core.Images;
using Imago.Core.Regions;

namespace Imago.Core.Marketplace;

/// <summary>The checks a product definition passes before anything is written.</summary>
public static class ProductDefinitions
{
    private const int MaxPriceDecimals = 6;
    private static readonly decimal MaxPrice = 1_000_000_000m;

    public static void Check(ProductDefinition definition, RegionCatalog regions)
    {
        if (!IsProductCode(definition.ProductCode))
        {
            throw new MarketplaceException("--product-code: 1 to 64 characters from [A-Za-z0-9_-], e.g. cmjj00001234");
        }

        if (!ImageNameRules.IsValidName(definition.Name))
        {
            throw new MarketplaceException("--name: 2 to 128 characters, starting with a letter, not http(s)://, acs: or aliyun (it is the image's name)");
        }

        Bounded("--vendor", definition.Vendor, 1, 128);
        if (definition.ImageVersion.Length is 0 or > 40 || !definition.ImageVersion.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new MarketplaceException("--version: 1 to 40 letters, digits, '.', '_' and '-'");
        }

        if (definition.Description.Length > 0 && !ImageNameRules.IsValidDescription(definition.Description))
        {
            throw new MarketplaceException("--description: 2 to 256 characters, not starting with http:// or https://");
        }

        if (definition.RegionIds.Count == 0)
        {
            throw new MarketplaceException("--regions: at least one region");
        }

        foreach (var region in definition.RegionIds)
        {
            if (!regions.Contains(region))
            {
                throw new MarketplaceException($"--regions: no region '{Errors.EcsErrors.Printable(region)}' (regions: {string.Join(',', regions.RegionIds)})");
            }
        }

        if (definition.RegionIds.Distinct(StringComparer.Ordinal).Count() != definition.RegionIds.Count)
        {
            throw new MarketplaceException("--regions: a region is named twice");
        }

        Price("--hourly-price", definition.HourlyPrice);
        Price("--monthly-price", definition.MonthlyPrice);
        if (definition.Currency.Length != 3 || !definition.Currency.All(char.IsAsciiLetterUpper))
        {
            throw new MarketplaceException("--currency: an ISO 4217 code of three capital letters, e.g. USD");
        }
    }

    public static bool IsProductCode(string code) =>
        code.Length is >= 1 and <= 64 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static void Price(string option, decimal price)
    {
        if (price < 0 || price > MaxPrice || price.Scale > MaxPriceDecimals)
        {
            throw new MarketplaceException($"{option}: a price from 0 to {MaxPrice} with at most {MaxPriceDecimals} decimals");
        }
    }

    private static void Bounded(string option, string value, int min, int max)
    {
        if (value.Length < min || value.Length > max || value.Any(char.IsControl))
        {
            throw new MarketplaceException($"{option}: {min} to {max} printable characters");
        }
    }
}
