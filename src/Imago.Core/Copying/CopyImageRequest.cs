namespace Imago.Core.Copying;

/// <summary>CopyImage's parameters (ecs-api.md 3.3): RegionId is the SOURCE region; the copy is made in DestinationRegionId.</summary>
public sealed record CopyImageRequest(
    string RegionId,
    string ImageId,
    string? DestinationRegionId = null,
    string? DestinationImageName = null,
    string? DestinationDescription = null,
    bool Encrypted = false,
    string? KmsKeyId = null,
    string? ResourceGroupId = null,
    IReadOnlyList<KeyValuePair<string, string>>? Tags = null,
    string? ClientToken = null,
    bool DryRun = false);
