using Imago.Api.Actions.Sharing;
using Imago.Api.Rpc;
using Imago.Core.Sharing;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    /// <summary>Image sharing: ModifyImageSharePermission, DescribeImageSharePermission, ModifyImageShareGroupPermission.</summary>
    static partial void AddSharing(IServiceCollection services)
    {
        services.AddSingleton<ImageSharing>();
        services.AddSingleton<IEcsActionHandler, ModifyImageSharePermissionHandler>();
        services.AddSingleton<IEcsActionHandler, DescribeImageSharePermissionHandler>();
        services.AddSingleton<IEcsActionHandler, ModifyImageShareGroupPermissionHandler>();
    }
}
