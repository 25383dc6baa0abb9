using Imago.Core.Tasks;

namespace Imago.Core.Tests.Importing;

/// <summary>Registers a task kind with the runner before the handler (which needs the harness's database and stores) exists.</summary>
internal sealed class DeferredTaskHandler(string kind) : ITaskHandler
{
    public ITaskHandler? Inner { get; set; }

    private ITaskHandler Handler => Inner ?? throw new InvalidOperationException("the handler is not set yet");

    public string Kind => kind;

    public bool SupportsCancel => Handler.SupportsCancel;

    public bool ResumeAfterRestart => Handler.ResumeAfterRestart;

    public bool RunsOutsideWorkers => Handler.RunsOutsideWorkers;

    public Task RunAsync(TaskExecution task, CancellationToken cancellationToken) => Handler.RunAsync(task, cancellationToken);

    public Task OnFailedAsync(TaskExecution task, string reason, CancellationToken cancellationToken) => Handler.OnFailedAsync(task, reason, cancellationToken);

    public Task OnCancelledAsync(TaskExecution task, CancellationToken cancellationToken) => Handler.OnCancelledAsync(task, cancellationToken);

    public IReadOnlyList<KeyValuePair<string, string>> RelatedItems(string resourceId) => Handler.RelatedItems(resourceId);

    public IReadOnlyList<KeyValuePair<string, string>> RelatedItems(string resourceId, string payload) => Handler.RelatedItems(resourceId, payload);
}
