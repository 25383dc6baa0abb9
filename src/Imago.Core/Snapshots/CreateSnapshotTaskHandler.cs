using Imago.Core.Tasks;

namespace Imago.Core.Snapshots;

/// <summary>
/// Finishes a snapshot made by CreateSnapshot. The store snapshot already exists when the task starts, so the
/// work is idempotent and resumes after a restart; it cannot be cancelled (the bytes are already captured).
/// </summary>
public sealed class CreateSnapshotTaskHandler(SnapshotFinalizer finalizer) : ITaskHandler
{
    public string Kind => SnapshotKinds.CreateSnapshotTask;

    public bool SupportsCancel => false;

    public bool ResumeAfterRestart => true;

    public async Task RunAsync(TaskExecution task, CancellationToken cancellationToken)
    {
        var payload = task.PayloadAs<SnapshotTaskPayload>();
        await finalizer.FinalizeAsync(task.RegionId, payload.SnapshotId, cancellationToken).ConfigureAwait(false);
    }

    public Task OnFailedAsync(TaskExecution task, string reason, CancellationToken cancellationToken) =>
        finalizer.FailAsync([task.PayloadAs<SnapshotTaskPayload>().SnapshotId], cancellationToken);

    public Task OnCancelledAsync(TaskExecution task, CancellationToken cancellationToken) => OnFailedAsync(task, "cancelled", cancellationToken);

    public IReadOnlyList<KeyValuePair<string, string>> RelatedItems(string resourceId) => [new("SnapshotId", resourceId)];
}
