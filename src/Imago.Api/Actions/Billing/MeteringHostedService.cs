using Imago.Core.Billing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Imago.Api.Actions.Billing;

/// <summary>
/// Runs <see cref="UsageMeter"/> at start and every five minutes (on the system's timers; the hours it accrues come
/// from the service's clock). Idempotent, so several servers on one database may all run it.
/// </summary>
public sealed class MeteringHostedService(UsageMeter meter, ILogger<MeteringHostedService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                var written = await meter.AccrueAsync(stoppingToken).ConfigureAwait(false);
                if (written > 0)
                {
                    logger.LogInformation("Metering accrued {Count} ledger item(s)", written);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogWarning(error, "Metering failed; retrying at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
