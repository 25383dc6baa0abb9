using Imago.Data.Entities;

namespace Imago.Core.Images;

/// <summary>An image as one caller sees it: the stored image plus what depends on who asks.</summary>
/// <param name="OwnerAlias"><c>system</c>, <c>self</c>, <c>others</c> or <c>marketplace</c>, relative to the caller.</param>
/// <param name="IsSelfShared">For the caller's own images: shared with another account; null for others' images.</param>
/// <param name="InUse">An instance or disk was made from it (the caller's, or anyone's for the caller's own image).</param>
/// <param name="IsSubscribed">The caller is subscribed to the image's Marketplace product (its ProductCode).</param>
public sealed record ImageView(
    ImageEntity Image,
    string OwnerAlias,
    bool? IsSelfShared,
    bool InUse,
    bool IsSubscribed,
    IReadOnlyList<KeyValuePair<string, string>> Tags)
{
    public bool IsPublic => Image.Kind is ImageKinds.Public or ImageKinds.Marketplace;
}

/// <summary>One page of DescribeImages.</summary>
public sealed record ImagePage(int TotalCount, int PageNumber, int PageSize, IReadOnlyList<ImageView> Images);

public static class ImageOwnerAliases
{
    public const string System = "system";
    public const string Self = "self";
    public const string Others = "others";
    public const string Marketplace = "marketplace";

    public static readonly IReadOnlyList<string> All = [System, Self, Others, Marketplace];
}
