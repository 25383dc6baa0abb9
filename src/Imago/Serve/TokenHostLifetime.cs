using Microsoft.Extensions.Hosting;

namespace Imago.Serve;

/// <summary>A host lifetime that installs no signal handlers: the caller's cancellation token stops the host.</summary>
internal sealed class TokenHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
