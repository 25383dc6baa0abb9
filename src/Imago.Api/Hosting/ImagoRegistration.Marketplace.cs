using Imago.Core.Marketplace;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    /// <summary>
    /// The image market's products and subscriptions (publishing needs the stores exclusively: it is an admin command). The API has no Marketplace action of
    /// its own: marketplace images appear through DescribeImages and their rules apply in the image actions.
    /// </summary>
    static partial void AddMarketplace(IServiceCollection services)
    {
        services.AddSingleton<MarketplaceCatalog>();
    }
}
