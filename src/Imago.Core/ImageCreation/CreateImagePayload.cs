namespace Imago.Core.ImageCreation;

/// <summary>
/// What the CreateImage task needs to finish (or resume) an image: the snapshots taken for it (to be finished)
/// and the existing snapshots it maps (to be checked).
/// </summary>
public sealed record CreateImagePayload(string ImageId, IReadOnlyList<string> NewSnapshotIds, IReadOnlyList<string> MappedSnapshotIds);
