using Imago.Core.Snapshots;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Imago.Api.Actions.Snapshots;

/// <summary>Runs <see cref="SnapshotRetention"/> at start and every ten minutes while the service runs.</summary>
public sealed class SnapshotRetentionService(SnapshotRetention retention, TimeProvider time, ILogger<SnapshotRetentionService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await retention.SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogWarning(error, "Snapshot retention sweep failed; retrying at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
