using Imago.Core.Errors;
using Imago.Core.Tasks;

namespace Imago.Core.Tests.Tasks;

/// <summary>A cancellable handler that waits until released (or cancelled), recording what happened.</summary>
internal sealed class BlockingHandler(string kind = "ImportImage", bool resume = false) : ITaskHandler
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Kind => kind;

    public bool SupportsCancel => true;

    public bool ResumeAfterRestart => resume;

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<string> Failed { get; } = [];

    public List<string> Cancelled { get; } = [];

    public void Release() => _release.TrySetResult();

    public async Task RunAsync(TaskExecution task, CancellationToken cancellationToken)
    {
        await task.ReportProgressAsync(40, cancellationToken);
        Started.TrySetResult();
        await _release.Task.WaitAsync(cancellationToken);
    }

    public Task OnFailedAsync(TaskExecution task, string reason, CancellationToken cancellationToken)
    {
        lock (Failed)
        {
            Failed.Add(task.TaskId);
        }

        return Task.CompletedTask;
    }

    public Task OnCancelledAsync(TaskExecution task, CancellationToken cancellationToken)
    {
        lock (Cancelled)
        {
            Cancelled.Add(task.TaskId);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Finishes at once, or throws the error its payload names.</summary>
internal sealed class QuickHandler : ITaskHandler
{
    private int _runs;

    public string Kind => "ExportImage";

    public bool SupportsCancel => false;

    public bool ResumeAfterRestart => true;

    public int Runs => Volatile.Read(ref _runs);

    public Task RunAsync(TaskExecution task, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _runs);
        var payload = task.PayloadAs<QuickPayload>();
        return payload.Fail ? throw new EcsException("InvalidOSSObject.NotFound", "The OSS object does not exist.", 404) : Task.CompletedTask;
    }

    public Task OnFailedAsync(TaskExecution task, string reason, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task OnCancelledAsync(TaskExecution task, CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed record QuickPayload(bool Fail);
