namespace Imago.Core.Tasks;

/// <summary>
/// The work behind one kind of task (its ECS action name, e.g. <c>CreateImage</c>, <c>ImportImage</c>). The
/// <see cref="TaskRunner"/> calls <see cref="RunAsync"/> on a worker and records the outcome on the task row;
/// the handler keeps its own resources (image, snapshot rows) in step through the hooks.
/// </summary>
public interface ITaskHandler
{
    /// <summary>The task kind this handler runs: the <c>TaskAction</c> DescribeTasks shows.</summary>
    string Kind { get; }

    /// <summary>Whether CancelTask may stop it (shown as SupportCancel).</summary>
    bool SupportsCancel { get; }

    /// <summary>
    /// True when <see cref="RunAsync"/> is idempotent and can simply run again after a crash left the task
    /// Processing; false: the runner fails such a task at start (<see cref="OnFailedAsync"/>, then Failed).
    /// </summary>
    bool ResumeAfterRestart { get; }

    /// <summary>
    /// True for long transfers (CopyImage) that must not hold one of the runner's few workers for their whole
    /// length: the worker starts <see cref="RunAsync"/> and goes back to the queue, so CreateImage, CreateSnapshot
    /// and ImportImage tasks keep running. Such a handler bounds its own concurrency (and waits without a worker).
    /// Everything else is unchanged: the task stays known to the runner (never queued twice), cancellable, and
    /// Processing at shutdown.
    /// </summary>
    bool RunsOutsideWorkers => false;

    /// <summary>Does the work; report progress through <paramref name="task"/>. Throws to fail the task.</summary>
    Task RunAsync(TaskExecution task, CancellationToken cancellationToken);

    /// <summary>The task failed (or was abandoned at restart): mark the resources it was filling as failed.</summary>
    Task OnFailedAsync(TaskExecution task, string reason, CancellationToken cancellationToken);

    /// <summary>The task was cancelled by CancelTask: undo or mark what it was filling.</summary>
    Task OnCancelledAsync(TaskExecution task, CancellationToken cancellationToken);

    /// <summary>DescribeTaskAttribute's RelatedItemSet: what the task produced or works on.</summary>
    IReadOnlyList<KeyValuePair<string, string>> RelatedItems(string resourceId) => [new("ResourceId", resourceId)];

    /// <summary>RelatedItemSet when it depends on the task's input too (ExportImage lists its bucket and objects).</summary>
    IReadOnlyList<KeyValuePair<string, string>> RelatedItems(string resourceId, string payload) => RelatedItems(resourceId);
}
