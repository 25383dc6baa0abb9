using Imago.Api.Actions.Compute;
using Imago.Api.Rpc;
using Imago.Core.Compute;
using Imago.Core.Compute.Nbd;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    /// <summary>Instances, disks and the NBD server that serves the disks.</summary>
    static partial void AddCompute(IServiceCollection services)
    {
        services.AddSingleton<DiskExports>();
        services.AddSingleton<DiskNbdServer>();
        services.AddHostedService<DiskNbdHostedService>();
        services.AddSingleton<DiskVolumes>();
        services.AddSingleton<InstanceService>();
        services.AddSingleton<InstanceQueries>();
        services.AddSingleton<DiskService>();

        services.AddSingleton<IEcsActionHandler, RunInstancesHandler>();
        services.AddSingleton<IEcsActionHandler, CreateInstanceHandler>();
        services.AddSingleton<IEcsActionHandler, DescribeInstancesHandler>();
        services.AddSingleton<IEcsActionHandler, StartInstanceHandler>();
        services.AddSingleton<IEcsActionHandler, StopInstanceHandler>();
        services.AddSingleton<IEcsActionHandler, DeleteInstanceHandler>();
        services.AddSingleton<IEcsActionHandler, ReplaceSystemDiskHandler>();
        services.AddSingleton<IEcsActionHandler, DescribeDisksHandler>();
        services.AddSingleton<IEcsActionHandler, DeleteDiskHandler>();
    }
}
