namespace Imago.Core.Errors;

/// <summary>The errors many actions share, worded as the real service words them.</summary>
public static class EcsErrors
{
    public static EcsException MissingParameter(string name) =>
        new("MissingParameter", $"The input parameter \"{name}\" that is mandatory for processing this request is not supplied.", 400);

    public static EcsException InvalidParameter(string name, string? detail = null) =>
        new("InvalidParameter", $"The specified parameter \"{name}\" is not valid.{(detail is null ? "" : " " + detail)}", 400);

    public static EcsException InvalidRegion(string regionId) =>
        new("InvalidRegionId.NotFound", $"The specified RegionId \"{Printable(regionId)}\" does not exist.", 404);

    public static EcsException ImageNotFound(string imageId) =>
        new("InvalidImageId.NotFound", "The specified ImageId does not exist.", 404);

    public static EcsException InstanceNotFound(string instanceId) =>
        new("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404);

    public static EcsException DiskNotFound(string diskId) =>
        new("InvalidDiskId.NotFound", "The specified disk does not exist.", 404);

    public static EcsException SnapshotNotFound(string snapshotId) =>
        new("InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.", 404);

    public static EcsException DryRunPassed() =>
        new("DryRunOperation", "Request validation has been passed with DryRun flag set.", 400);

    public static EcsException Conflict() =>
        new("OperationConflict", "The request conflicts with another request on the same resource. Please retry.", 409);

    /// <summary>Echoing user input into messages is fine, but never control characters or unbounded length.</summary>
    public static string Printable(string? value)
    {
        if (value is null)
        {
            return "";
        }

        var span = value.Length > 128 ? value[..128] + "..." : value;
        return new string(span.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
