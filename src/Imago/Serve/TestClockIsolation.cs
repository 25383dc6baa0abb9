using Imago.Api.Signatures;
using Imago.Core;
using Imago.Core.Accounts;
using Imago.Core.Buckets;
using Imago.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imago.Serve;

/// <summary>
/// Under <c>--clock</c> the service's TimeProvider is the frozen <see cref="Imago.Core.Billing.TestClock"/>; the parts
/// that must agree with the real world keep the system clock, so nothing but the service's own timestamps (resources'
/// CreatedAt, usage intervals, the hours metered) changes: request signatures are checked against the client's real
/// Timestamp, nonces expire, the transfer throttle's rate flows, and bucket objects get real Last-Modified times.
/// </summary>
internal static class TestClockIsolation
{
    public static void KeepRealTime(IServiceCollection services)
    {
        var system = TimeProvider.System;
        services.Replace(ServiceDescriptor.Singleton(_ => new NonceCache(system)));
        services.Replace(ServiceDescriptor.Singleton(sp =>
            new RequestAuthenticator(sp.GetRequiredService<ICredentialStore>(), sp.GetRequiredService<NonceCache>(), system)));
        services.Replace(ServiceDescriptor.Singleton(sp =>
            TransferThrottle.FromMiBPerSecond(sp.GetRequiredService<ServiceOptions>().TransferRateMiBPerSecond, system)));
        services.Replace(ServiceDescriptor.Singleton<IBucketStore>(sp =>
            DirectoryBucketStore.Open(sp.GetRequiredService<ServiceOptions>().DataDirectory, system)));
    }
}
