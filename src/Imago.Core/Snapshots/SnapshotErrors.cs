using Imago.Core.Errors;

namespace Imago.Core.Snapshots;

/// <summary>The snapshot actions' own errors, with the reference's codes and statuses (ecs-api.md 4.4).</summary>
public static class SnapshotErrors
{
    public static EcsException IncorrectDiskStatus() =>
        new("IncorrectDiskStatus", "The current disk status does not support this operation.", 403);

    public static EcsException SnapshotQuota() =>
        new("QuotaExceed.Snapshot", "The maximum number of snapshots of the disk is reached.", 403);

    public static EcsException CreatedImage() =>
        new("SnapshotCreatedImage", "The snapshot has been used to create user defined image(s).", 403);

    public static EcsException CreatedDisk() =>
        new("SnapshotCreatedDisk", "The snapshot has been used to create disk(s); use Force to delete it.", 403);

    public static EcsException InvalidRetentionDays() =>
        EcsErrors.InvalidParameter("RetentionDays", "It must be an integer from 1 to 65536.");
}
