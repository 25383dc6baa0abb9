using System.Text.Json;

namespace Imago.Core.Tasks;

/// <summary>One run of a task as its handler sees it: who and where, its payload, and a way to report progress.</summary>
public sealed class TaskExecution
{
    private readonly Func<string, int, CancellationToken, Task> _reportProgress;

    internal TaskExecution(string taskId, string kind, long accountId, string regionId, string resourceId, string payload,
        Func<string, int, CancellationToken, Task> reportProgress)
    {
        TaskId = taskId;
        Kind = kind;
        AccountId = accountId;
        RegionId = regionId;
        ResourceId = resourceId;
        Payload = payload;
        _reportProgress = reportProgress;
    }

    public string TaskId { get; }

    public string Kind { get; }

    public long AccountId { get; }

    public string RegionId { get; }

    public string ResourceId { get; }

    /// <summary>The JSON the task was enqueued with.</summary>
    public string Payload { get; }

    /// <summary>The payload as <typeparamref name="T"/>; a payload that does not parse fails the task.</summary>
    public T PayloadAs<T>() =>
        JsonSerializer.Deserialize<T>(Payload) ?? throw new InvalidDataException($"task {TaskId}: empty payload");

    /// <summary>Records 0-100 on the task row (DescribeTaskAttribute's TaskProcess).</summary>
    public Task ReportProgressAsync(int percent, CancellationToken cancellationToken) =>
        _reportProgress(TaskId, Math.Clamp(percent, 0, 100), cancellationToken);
}
