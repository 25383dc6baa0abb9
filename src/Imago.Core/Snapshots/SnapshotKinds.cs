namespace Imago.Core.Snapshots;

/// <summary>Names this area gives things: task kinds and the tag resource type.</summary>
public static class SnapshotKinds
{
    /// <summary>The task that finishes a snapshot (progressing → accomplished).</summary>
    public const string CreateSnapshotTask = "CreateSnapshot";

    /// <summary>The task that finishes a custom image (Creating → Available).</summary>
    public const string CreateImageTask = "CreateImage";

    public const string TagResourceType = "snapshot";

    /// <summary>Manual snapshots one disk may have (the CreateSnapshot page's figure).</summary>
    public const int SnapshotsPerDisk = 256;
}
