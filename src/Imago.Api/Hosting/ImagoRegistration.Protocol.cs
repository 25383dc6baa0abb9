using Imago.Api.Rpc;
using Imago.Api.Signatures;
using Microsoft.Extensions.DependencyInjection;

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
        return services;
    }

    static partial void AddProtocol(IServiceCollection services) => services.AddImagoProtocol();
}
