namespace Imago.Data.Entities;

/// <summary>A custom image shared with another account. Key: (RegionId, ImageId, AccountId).</summary>
public sealed class ImageShareEntity
{
    public required string RegionId { get; set; }

    public required string ImageId { get; set; }

    public long AccountId { get; set; }

    public DateTime SharedAt { get; set; }
}
