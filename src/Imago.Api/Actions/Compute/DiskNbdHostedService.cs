using Imago.Core.Compute.Nbd;
using Microsoft.Extensions.Hosting;

namespace Imago.Api.Actions.Compute;

/// <summary>Runs the disks' NBD server for the life of the service (off when no NBD endpoint is configured).</summary>
internal sealed class DiskNbdHostedService(DiskNbdServer server) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        server.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => server.StopAsync(cancellationToken);
}
