using Imago.Core.Errors;

namespace Imago.Core.Marketplace;

/// <summary>The documented Marketplace errors of RunInstances, ReplaceSystemDisk and CopyImage (ecs-api.md 4.1, 4.2, 3.3, 8).</summary>
public static class MarketplaceErrors
{
    public static EcsException NotSubscribed(string productCode) =>
        new("ImageNotSubscribed", $"The specified market image is not subscribed: subscribe to product {EcsErrors.Printable(productCode)} first.", 403);

    public static EcsException RemovedInMarket(string productCode) =>
        new("ImageRemovedInMarket", $"The specified market image is not available: product {EcsErrors.Printable(productCode)} was withdrawn from the image market.", 403);

    public static EcsException NotPublished(string productCode, string regionId) =>
        new("OperationDenied.NotPublished",
            $"The marketplace product {EcsErrors.Printable(productCode)} of this image is not published in region {EcsErrors.Printable(regionId)}.", 403);
}

/// <summary>An operator's Marketplace request that cannot be done (the admin command prints the message).</summary>
public sealed class MarketplaceException(string message) : Exception(message);
