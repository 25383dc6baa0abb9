namespace Imago.Data.Entities;

/// <summary>A tag on any resource (image, snapshot, instance, disk). Key: (ResourceType, ResourceId, Key).</summary>
/// <remarks>Image ids of public images repeat per region, but public images carry no user tags.</remarks>
public sealed class ResourceTagEntity
{
    /// <summary><c>image</c>, <c>snapshot</c>, <c>instance</c>, <c>disk</c>.</summary>
    public required string ResourceType { get; set; }

    public required string ResourceId { get; set; }

    public required string RegionId { get; set; }

    public required string Key { get; set; }

    public string Value { get; set; } = "";
}
