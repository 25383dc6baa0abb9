using Imago.Core.Images.Seeding;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Imago.Api.Actions.Images;

/// <summary>
/// Seeds the public image catalog into every configured region when the service starts, before it accepts
/// requests (hosted services start first), so DescribeImages and RunInstances find the public images at once.
/// </summary>
internal sealed class PublicImageSeedingService(PublicImageSeeder seeder, ILogger<PublicImageSeedingService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var added = await seeder.SeedAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Public images: {Added} catalog entries added across regions", added);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
