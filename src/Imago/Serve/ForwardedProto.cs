using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.Serve;

/// <summary>
/// --forwarded-headers: ASP.NET Core's ForwardedHeaders for X-Forwarded-Proto only, believed from the given proxies
/// and nobody else. The request's scheme then says https when the proxy terminated TLS, so the console's session
/// cookie is marked Secure. X-Forwarded-For and -Host are left alone: nothing here needs the client's address or
/// host, and believing them would only widen what a proxy misconfiguration could spoof.
/// </summary>
public static class ForwardedProto
{
    public static void Configure(IServiceCollection services, IReadOnlyList<IPAddress> proxies) =>
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(proxy);
            }
        });
}
