using Imago.Api.Actions.Copying;
using Imago.Api.Rpc;
using Imago.Core;
using Imago.Core.Common;
using Imago.Core.Copying;
using Imago.Core.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    /// <summary>
    /// CopyImage and CancelCopyImage with their task handler, the per-region copy slots (--copy-concurrency), the
    /// service's transfer throttle (--transfer-rate, shared with ImportImage) and the copy counters on /metrics.
    /// </summary>
    static partial void AddCopying(IServiceCollection services)
    {
        services.TryAddSingleton(provider => TransferThrottle.FromMiBPerSecond(
            provider.GetRequiredService<ServiceOptions>().TransferRateMiBPerSecond, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new CopySlots(provider.GetRequiredService<ServiceOptions>().CopyConcurrency));
        services.AddSingleton<CopyCounters>();
        services.AddSingleton<IMetricsSource, CopyMetrics>();
        services.AddSingleton<CopyImageService>();
        services.AddSingleton<ITaskHandler, CopyImageTaskHandler>();
        services.AddSingleton<IEcsActionHandler, CopyImageHandler>();
        services.AddSingleton<IEcsActionHandler, CancelCopyImageHandler>();
    }
}
