namespace Imago.Data.Entities;

/// <summary>
/// A Marketplace product published by a vendor (ISV): its image lives as a <see cref="ImageKinds.Marketplace"/> image
/// (same id in every published region, ProductCode = this code), and its prices are the vendor's, not the price book's.
/// </summary>
public sealed class MarketplaceProductEntity
{
    /// <summary>The product code (e.g. <c>cmjj0000****</c>): ImageEntity/SnapshotEntity/DiskEntity/InstanceEntity.ProductCode.</summary>
    public required string ProductCode { get; set; }

    public required string Name { get; set; }

    /// <summary>The vendor's name as shown to users (SupplierName).</summary>
    public required string Vendor { get; set; }

    /// <summary>The image version (ImageVersion of the marketplace image and of images derived from it).</summary>
    public string ImageVersion { get; set; } = "";

    public string Description { get; set; } = "";

    /// <summary><see cref="MarketplaceProductStatuses"/>.</summary>
    public required string Status { get; set; }

    /// <summary>Whether using the image needs a subscription first (ImageNotSubscribed otherwise).</summary>
    public bool RequiresSubscription { get; set; }

    /// <summary>ISO 4217 code of the vendor's prices.</summary>
    public required string Currency { get; set; }

    /// <summary>The vendor's pay-as-you-go price per instance-hour.</summary>
    public decimal HourlyPrice { get; set; }

    /// <summary>The vendor's subscription price per instance-month.</summary>
    public decimal MonthlyPrice { get; set; }

    /// <summary>The regions it is published in, comma-separated (CopyImage elsewhere: OperationDenied.NotPublished).</summary>
    public required string RegionIds { get; set; }

    /// <summary>The marketplace image's id (the same in every published region).</summary>
    public required string ImageId { get; set; }

    public DateTime PublishedAt { get; set; }

    public DateTime? WithdrawnAt { get; set; }

    public int Version { get; set; }
}

public static class MarketplaceProductStatuses
{
    public const string Published = "Published";

    /// <summary>Withdrawn by the vendor: no new launches (ImageRemovedInMarket); running instances go on.</summary>
    public const string Withdrawn = "Withdrawn";
}
