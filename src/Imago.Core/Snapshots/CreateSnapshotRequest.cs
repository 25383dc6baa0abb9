namespace Imago.Core.Snapshots;

/// <summary>CreateSnapshot's parameters (validated by <see cref="SnapshotService"/>).</summary>
/// <param name="RegionId">Optional (CreateSnapshot documents none): the disk's region; when given, the disk must be there.</param>
public sealed record CreateSnapshotRequest(
    string? RegionId,
    string DiskId,
    string? SnapshotName = null,
    string? Description = null,
    int? RetentionDays = null,
    IReadOnlyList<KeyValuePair<string, string>>? Tags = null,
    string? ClientToken = null,
    bool DryRun = false);
