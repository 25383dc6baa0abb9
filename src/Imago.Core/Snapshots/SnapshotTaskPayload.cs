namespace Imago.Core.Snapshots;

/// <summary>What the CreateSnapshot task needs to finish (or resume) its snapshot.</summary>
public sealed record SnapshotTaskPayload(string SnapshotId);
