using Imago.Core.Tasks;
using Microsoft.Extensions.Hosting;

namespace Imago.Api.Actions.Tasks;

/// <summary>
/// Runs the <see cref="TaskRunner"/> with the host: at start it settles what a crash left unfinished (before the
/// server takes requests) and starts the workers; at stop interrupted tasks stay Processing for the next start.
/// </summary>
public sealed class TaskRunnerHostedService(TaskRunner runner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => runner.StopAsync(cancellationToken);
}
