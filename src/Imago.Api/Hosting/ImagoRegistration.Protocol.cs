using Imago.Api.Rpc;
using Imago.Api.Signatures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    /// <summary>
    /// The protocol alone (signatures, nonce cache, dispatcher, metrics, the RPC endpoint): what <c>AddImago</c>
    /// registers for it, callable by itself for hosts (and tests) that bring their own handlers. Needs a
    /// <see cref="TimeProvider"/> and an <see cref="Imago.Core.Accounts.ICredentialStore"/>.
    /// </summary>
    public static IServiceCollection AddImagoProtocol(this IServiceCollection services)
    {
        services.AddSingleton(sp => new NonceCache(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RequestAuthenticator>();
        services.AddSingleton<ActionDispatcher>();
        services.AddSingleton<ApiMetrics>();
        services.AddSingleton<RpcEndpoint>();

        // RpcEndpoint writes the one request line; the framework's own per-request lines print the full URL, and a
        // V1 GET URL holds the Signature, so they are kept below Information.
        services.AddLogging(logging => logging
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore.Http.Result", LogLevel.Warning));
        return services;
    }

    static partial void AddProtocol(IServiceCollection services) => services.AddImagoProtocol();
}
