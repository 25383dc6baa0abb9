namespace Imago.Core.Tasks;

/// <summary>Whose task it is, in which region, and the resource it works on (an image id, a snapshot id...).</summary>
public sealed record TaskScope(long AccountId, string RegionId, string ResourceId);
