namespace Imago.Data.Entities;

/// <summary>An account's subscription to a Marketplace product (DescribeImages' IsSubscribed).</summary>
public sealed class MarketplaceSubscriptionEntity
{
    public long AccountId { get; set; }

    public required string ProductCode { get; set; }

    public DateTime SubscribedAt { get; set; }
}
