using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Imago.Core.Errors;
using Imago.Core.Ids;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Imago.Core.Tasks;

/// <summary>
/// Runs asynchronous tasks (CreateImage, CreateSnapshot, and later CopyImage/ImportImage/ExportImage) in the
/// background. Every task is a <see cref="TaskEntity"/> row first (Processing), then an id in a bounded channel
/// read by a few workers; the row, not the channel, is the truth: ids that do not fit in the channel wait in the
/// database and are picked up when it drains, and at start <see cref="TaskRecovery"/> resumes or fails what a
/// crash left behind. Handlers are found by kind (<see cref="ITaskHandler.Kind"/>). A handler that
/// <see cref="ITaskHandler.RunsOutsideWorkers"/> (long copies) is started by a worker that then moves on, so it
/// never holds one of the few workers the other kinds need.
/// </summary>
public sealed class TaskRunner : IAsyncDisposable
{
    private static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(30);

    private readonly ImagoDatabase _database;
    private readonly Dictionary<string, ITaskHandler> _handlers;
    private readonly TimeProvider _time;
    private readonly ILogger<TaskRunner> _logger;
    private readonly TaskRunnerOptions _options;
    private readonly Channel<string> _queue;

    /// <summary>Ids queued or running in this process, so an id is never queued twice.</summary>
    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.Ordinal);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, RunningTask> _running = new(StringComparer.Ordinal);
    private readonly HashSet<string> _cancelledBeforeStart = new(StringComparer.Ordinal);

    /// <summary>Runs of <see cref="ITaskHandler.RunsOutsideWorkers"/> handlers, by task id, awaited at stop.</summary>
    private readonly Dictionary<string, Task> _outsideWorkers = new(StringComparer.Ordinal);

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _workers = [];
    private int _overflowed;

    public TaskRunner(ImagoDatabase database, IEnumerable<ITaskHandler> handlers, TimeProvider time, ILogger<TaskRunner> logger, TaskRunnerOptions? options = null)
    {
        _database = database;
        _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
        _time = time;
        _logger = logger;
        _options = options ?? new TaskRunnerOptions();
        _queue = Channel.CreateBounded<string>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
        });
    }

    public ITaskHandler? FindHandler(string kind) => _handlers.GetValueOrDefault(kind);

    /// <summary>
    /// A new Processing task row for the caller to add to its own unit of work, so the task and the resources it
    /// fills are saved in one transaction. Call <see cref="Schedule"/> once that transaction has committed.
    /// </summary>
    public TaskEntity Prepare(string taskKind, object payload, TaskScope scope)
    {
        var handler = FindHandler(taskKind) ?? throw new InvalidOperationException($"no task handler for '{taskKind}'");
        return new TaskEntity
        {
            Id = ResourceIds.NewTaskId(scope.RegionId),
            AccountId = scope.AccountId,
            RegionId = scope.RegionId,
            Action = taskKind,
            Status = TaskStatuses.Processing,
            ResourceId = scope.ResourceId,
            SupportCancel = handler.SupportsCancel,
            Payload = JsonSerializer.Serialize(payload),
            CreatedAt = _time.GetUtcNow().UtcDateTime,
        };
    }

    /// <summary>Saves a new task and queues it; returns its id.</summary>
    public async Task<string> EnqueueAsync(string taskKind, object payload, TaskScope scope, CancellationToken cancellationToken)
    {
        var task = Prepare(taskKind, payload, scope);
        await using (var db = _database.CreateContext())
        {
            db.Tasks.Add(task);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        Schedule(task.Id);
        return task.Id;
    }

    /// <summary>
    /// Queues a committed Processing task. Never blocks: when the channel is full the id stays only in the
    /// database and a worker fetches it once the channel has drained.
    /// </summary>
    public void Schedule(string taskId)
    {
        if (!_known.TryAdd(taskId, 0))
        {
            return;
        }

        if (!_queue.Writer.TryWrite(taskId))
        {
            _known.TryRemove(taskId, out _);
            Interlocked.Exchange(ref _overflowed, 1);
        }
    }

    /// <summary>Recovers what a previous process left unfinished, then starts the workers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var recovery = new TaskRecovery(_database, _handlers, _time, _logger);
        foreach (var taskId in await recovery.RecoverAsync(NewExecution, cancellationToken).ConfigureAwait(false))
        {
            Schedule(taskId);
        }

        for (var i = 0; i < Math.Max(1, _options.Workers); i++)
        {
            _workers.Add(Task.Run(() => WorkAsync(_stopping.Token), CancellationToken.None));
        }
    }

    /// <summary>Stops the workers. Running tasks are interrupted and stay Processing, to be resumed at the next start.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers).WaitAsync(cancellationToken).ConfigureAwait(false);
        Task[] outside;
        lock (_gate)
        {
            outside = [.. _outsideWorkers.Values];
        }

        await Task.WhenAll(outside).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>CancelTask: stops a cancellable Processing task of the caller and waits (bounded) until it is Cancelled.</summary>
    public async Task CancelAsync(Caller caller, string regionId, string taskId, CancellationToken cancellationToken)
    {
        TaskEntity? task;
        await using (var db = _database.CreateContext())
        {
            task = await db.Tasks.AsNoTracking()
                .FirstOrDefaultAsync(t => t.Id == taskId && t.AccountId == caller.AccountId && t.RegionId == regionId, cancellationToken)
                .ConfigureAwait(false);
        }

        if (task is null)
        {
            throw TaskErrors.NotFound(taskId);
        }

        if (task.Status != TaskStatuses.Processing)
        {
            throw TaskErrors.IncorrectStatus();
        }

        if (!task.SupportCancel || FindHandler(task.Action) is not { SupportsCancel: true } handler)
        {
            throw TaskErrors.CancelNotSupported();
        }

        RunningTask? running;
        lock (_gate)
        {
            if (_running.TryGetValue(taskId, out running))
            {
                running.CancelledByUser = true;
            }
            else
            {
                _cancelledBeforeStart.Add(taskId);
            }
        }

        if (running is not null)
        {
            try
            {
                await running.Cancellation.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The run ended (and released its token) between the lookup and the cancel: nothing left to stop.
            }

            try
            {
                await running.Done.Task.WaitAsync(CancelWait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The handler is slow to stop; it has been told to, and the task ends Cancelled when it does.
            }

            return;
        }

        // Not running here: it will be skipped when dequeued; finish it now.
        if (await FinishAsync(taskId, TaskStatuses.Cancelled, "", CancellationToken.None).ConfigureAwait(false))
        {
            await RunHookAsync(NewExecution(task), () => handler.OnCancelledAsync(NewExecution(task), CancellationToken.None)).ConfigureAwait(false);
        }

        if (!_known.ContainsKey(taskId))
        {
            // Not queued either (it was waiting in the database): no worker will consume the mark.
            lock (_gate)
            {
                _cancelledBeforeStart.Remove(taskId);
            }
        }
    }

    private async Task WorkAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var taskId in _queue.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                var continuesOutside = false;
                try
                {
                    continuesOutside = await RunAsync(taskId, stopping).ConfigureAwait(false);
                }
                finally
                {
                    // A task that continues outside the workers stays known until its run ends.
                    if (!continuesOutside)
                    {
                        _known.TryRemove(taskId, out _);
                    }
                }

                if (_queue.Reader.Count == 0 && Interlocked.Exchange(ref _overflowed, 0) == 1)
                {
                    await RefillFromDatabaseAsync(stopping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Queues Processing tasks that did not fit in the channel earlier (at most half a channel at a time).</summary>
    private async Task RefillFromDatabaseAsync(CancellationToken stopping)
    {
        var batch = Math.Max(1, _options.QueueCapacity / 2);
        await using var db = _database.CreateContext();
        var waiting = await db.Tasks.AsNoTracking()
            .Where(t => t.Status == TaskStatuses.Processing)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id)
            .Select(t => t.Id)
            .Take(batch + _known.Count)
            .ToListAsync(stopping).ConfigureAwait(false);
        var scheduled = 0;
        foreach (var id in waiting.Where(id => !_known.ContainsKey(id)).Take(batch))
        {
            Schedule(id);
            scheduled++;
        }

        if (scheduled > 0)
        {
            // More may be waiting: look again once these have drained.
            Interlocked.Exchange(ref _overflowed, 1);
        }
    }

    /// <summary>Runs the task on this worker; true when it was started outside the workers and still runs.</summary>
    private async Task<bool> RunAsync(string taskId, CancellationToken stopping)
    {
        TaskEntity? task;
        await using (var db = _database.CreateContext())
        {
            task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == taskId, stopping).ConfigureAwait(false);
        }

        if (task is null || task.Status != TaskStatuses.Processing)
        {
            lock (_gate)
            {
                // Cancelled (or deleted) while queued: nothing to run, and the mark is consumed.
                _cancelledBeforeStart.Remove(taskId);
            }

            return false;
        }

        var execution = NewExecution(task);
        if (FindHandler(task.Action) is not { } handler)
        {
            await FinishAsync(taskId, TaskStatuses.Failed, $"InternalError: no handler for task kind {task.Action}", CancellationToken.None).ConfigureAwait(false);
            return false;
        }

        var running = new RunningTask(CancellationTokenSource.CreateLinkedTokenSource(stopping));
        lock (_gate)
        {
            if (_cancelledBeforeStart.Remove(taskId))
            {
                running.Cancellation.Dispose();
                return false;
            }

            _running[taskId] = running;
        }

        var run = RunRegisteredAsync(handler, execution, running, stopping);
        if (!handler.RunsOutsideWorkers)
        {
            await run.ConfigureAwait(false);
            return false;
        }

        var tracked = ForgetWhenDoneAsync(taskId, run);
        lock (_gate)
        {
            // Under the lock ForgetWhenDoneAsync cannot finish between this check and the add (it takes the lock).
            if (!tracked.IsCompleted)
            {
                _outsideWorkers[taskId] = tracked;
            }
        }

        return true;
    }

    private async Task RunRegisteredAsync(ITaskHandler handler, TaskExecution execution, RunningTask running, CancellationToken stopping)
    {
        try
        {
            await RunHandlerAsync(handler, execution, running, stopping).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _running.Remove(execution.TaskId);
            }

            running.Done.TrySetResult();
            running.Cancellation.Dispose();
        }
    }

    /// <summary>The end of a run outside the workers: the id may be queued again, and stop no longer waits for it.</summary>
    private async Task ForgetWhenDoneAsync(string taskId, Task run)
    {
        try
        {
            await run.ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _outsideWorkers.Remove(taskId);
            }

            _known.TryRemove(taskId, out _);
        }
    }

    private async Task RunHandlerAsync(ITaskHandler handler, TaskExecution execution, RunningTask running, CancellationToken stopping)
    {
        try
        {
            await handler.RunAsync(execution, running.Cancellation.Token).ConfigureAwait(false);
            await FinishAsync(execution.TaskId, TaskStatuses.Finished, "", CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutdown: the row stays Processing and the next start resumes or fails it.
            _logger.LogInformation("Task {TaskId} ({Kind}) interrupted by shutdown", execution.TaskId, execution.Kind);
        }
        catch (OperationCanceledException) when (running.CancelledByUser)
        {
            await RunHookAsync(execution, () => handler.OnCancelledAsync(execution, CancellationToken.None)).ConfigureAwait(false);
            await FinishAsync(execution.TaskId, TaskStatuses.Cancelled, "", CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            var reason = error is EcsException ecs ? $"{ecs.Code}: {ecs.Message}" : $"InternalError: {error.Message}";
            _logger.LogWarning(error, "Task {TaskId} ({Kind}) failed", execution.TaskId, execution.Kind);
            await RunHookAsync(execution, () => handler.OnFailedAsync(execution, reason, CancellationToken.None)).ConfigureAwait(false);
            await FinishAsync(execution.TaskId, TaskStatuses.Failed, reason, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>A failing cleanup hook is logged, never allowed to leave the task Processing (it would run again and again).</summary>
    private async Task RunHookAsync(TaskExecution execution, Func<Task> hook)
    {
        try
        {
            await hook().ConfigureAwait(false);
        }
        catch (Exception error)
        {
            _logger.LogError(error, "Task {TaskId} ({Kind}): cleanup after failure or cancellation failed", execution.TaskId, execution.Kind);
        }
    }

    /// <summary>Processing → <paramref name="status"/>; false when the task had already left Processing.</summary>
    private async Task<bool> FinishAsync(string taskId, string status, string failedReason, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var reason = failedReason.Length > 1024 ? failedReason[..1024] : failedReason;
        await using var db = _database.CreateContext();
        var changed = await db.Tasks
            .Where(t => t.Id == taskId && t.Status == TaskStatuses.Processing)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, status)
                .SetProperty(t => t.Progress, t => status == TaskStatuses.Finished ? 100 : t.Progress)
                .SetProperty(t => t.FailedReason, reason)
                .SetProperty(t => t.FinishedAt, now)
                .SetProperty(t => t.Version, t => t.Version + 1), cancellationToken)
            .ConfigureAwait(false);
        return changed == 1;
    }

    private async Task ReportProgressAsync(string taskId, int percent, CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        await db.Tasks
            .Where(t => t.Id == taskId && t.Status == TaskStatuses.Processing)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Progress, percent).SetProperty(t => t.Version, t => t.Version + 1), cancellationToken)
            .ConfigureAwait(false);
    }

    private TaskExecution NewExecution(TaskEntity task) =>
        new(task.Id, task.Action, task.AccountId, task.RegionId, task.ResourceId, task.Payload, ReportProgressAsync);

    private sealed class RunningTask(CancellationTokenSource cancellation)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool CancelledByUser { get; set; }
    }
}
