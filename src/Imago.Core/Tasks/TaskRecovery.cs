using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Imago.Core.Tasks;

/// <summary>
/// What a crash left unfinished, settled before the service takes requests:
/// <list type="bullet">
/// <item>Processing tasks whose handler can resume (<see cref="ITaskHandler.ResumeAfterRestart"/>) are queued again;
/// the others (and those of kinds no handler runs any more) are failed through their handler and marked Failed.</item>
/// <item>Images still Creating that no Processing task fills become CreateFailed.</item>
/// <item>Snapshots still progressing that no Processing task finishes become failed.</item>
/// </list>
/// Nothing stays in a transitional state without a task that will end it.
/// </summary>
internal sealed class TaskRecovery(ImagoDatabase database, IReadOnlyDictionary<string, ITaskHandler> handlers, TimeProvider time, ILogger logger)
{
    public const string InterruptedReason = "InternalError: the task was interrupted by a service restart and cannot be resumed.";

    /// <summary>Settles the leftovers; returns the ids of the tasks to run again.</summary>
    public async Task<IReadOnlyList<string>> RecoverAsync(Func<TaskEntity, TaskExecution> execution, CancellationToken cancellationToken)
    {
        var resume = new List<string>();
        List<TaskEntity> unfinished;
        await using (var db = database.CreateContext())
        {
            unfinished = await db.Tasks.AsNoTracking().Where(t => t.Status == TaskStatuses.Processing)
                .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var task in unfinished)
        {
            var handler = handlers.GetValueOrDefault(task.Action);
            if (handler is { ResumeAfterRestart: true })
            {
                resume.Add(task.Id);
                continue;
            }

            if (handler is not null)
            {
                await handler.OnFailedAsync(execution(task), InterruptedReason, cancellationToken).ConfigureAwait(false);
            }

            await FailTaskAsync(task.Id, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("Task {TaskId} ({Kind}) was interrupted by a restart and is marked Failed", task.Id, task.Action);
        }

        await FailOrphansAsync(cancellationToken).ConfigureAwait(false);
        return resume;
    }

    private async Task FailTaskAsync(string taskId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = database.CreateContext();
        await db.Tasks.Where(t => t.Id == taskId && t.Status == TaskStatuses.Processing)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, TaskStatuses.Failed)
                .SetProperty(t => t.FailedReason, InterruptedReason)
                .SetProperty(t => t.FinishedAt, now)
                .SetProperty(t => t.Version, t => t.Version + 1), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Images and snapshots in a transitional state that no Processing task will finish.</summary>
    private async Task FailOrphansAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var processing = db.Tasks.Where(t => t.Status == TaskStatuses.Processing);
        var images = await db.Images
            .Where(i => i.Status == ImageStatuses.Creating
                && !processing.Any(t => t.Id == i.TaskId || t.ResourceId == i.Id))
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, ImageStatuses.CreateFailed)
                .SetProperty(i => i.Version, i => i.Version + 1), cancellationToken)
            .ConfigureAwait(false);
        var snapshots = await db.Snapshots
            .Where(s => s.Status == SnapshotStatuses.Progressing
                && !processing.Any(t => t.ResourceId == s.Id || t.Payload.Contains(s.Id)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SnapshotStatuses.Failed)
                .SetProperty(x => x.Version, x => x.Version + 1), cancellationToken)
            .ConfigureAwait(false);
        if (images + snapshots > 0)
        {
            logger.LogWarning("Recovery: {Images} image(s) left Creating and {Snapshots} snapshot(s) left progressing without a task were marked failed",
                images, snapshots);
        }
    }
}
