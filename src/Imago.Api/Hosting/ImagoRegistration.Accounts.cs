using Imago.Core;
using Imago.Core.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    /// <summary>
    /// The master key (IMAGO_MASTER_KEY or DATA/master.key), the secret protector, the account service and
    /// the credential store that request authentication asks (through a one-second cache the account service
    /// clears on every change).
    /// </summary>
    static partial void AddAccounts(IServiceCollection services)
    {
        services.AddSingleton(sp => MasterKey.LoadOrCreate(
            sp.GetRequiredService<ServiceOptions>().DataDirectory,
            Environment.GetEnvironmentVariable(MasterKey.EnvironmentVariable)));
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<CredentialCache>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<CredentialStore>();
        services.AddSingleton<ICredentialStore>(sp => sp.GetRequiredService<CredentialStore>());
    }
}
