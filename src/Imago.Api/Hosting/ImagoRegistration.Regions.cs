using Imago.Api.Actions.Regions;
using Imago.Api.Rpc;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    /// <summary>DescribeRegions and DescribeZones (they need RegionCatalog and InstanceTypeCatalog).</summary>
    public static IServiceCollection AddImagoRegions(this IServiceCollection services)
    {
        services.AddSingleton<IEcsActionHandler, DescribeRegionsHandler>();
        services.AddSingleton<IEcsActionHandler, DescribeZonesHandler>();
        return services;
    }

    static partial void AddRegions(IServiceCollection services) => services.AddImagoRegions();
}
