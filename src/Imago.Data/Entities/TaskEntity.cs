namespace Imago.Data.Entities;

/// <summary>An asynchronous task (ImportImage, ExportImage, CopyImage, CreateImage...) as DescribeTasks lists it.</summary>
public sealed class TaskEntity
{
    /// <summary><c>t-...</c></summary>
    public required string Id { get; set; }

    public long AccountId { get; set; }

    public required string RegionId { get; set; }

    /// <summary>The ECS action name, e.g. <c>ImportImage</c>.</summary>
    public required string Action { get; set; }

    /// <summary><see cref="TaskStatuses"/>.</summary>
    public required string Status { get; set; }

    public int Progress { get; set; }

    public string ResourceId { get; set; } = "";

    public bool SupportCancel { get; set; }

    public string FailedReason { get; set; } = "";

    /// <summary>Action-specific input the worker needs to resume after a restart (JSON).</summary>
    public string Payload { get; set; } = "{}";

    public DateTime CreatedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    public int Version { get; set; }
}

public static class TaskStatuses
{
    public const string Processing = "Processing";
    public const string Finished = "Finished";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";
}
