using Imago.Api.Actions.Images;
using Imago.Api.Rpc;
using Imago.Core.Images;
using Imago.Core.Images.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    static partial void AddImages(IServiceCollection services)
    {
        services.AddSingleton<PublicImageSeeder>();
        services.AddHostedService<PublicImageSeedingService>();
        services.AddSingleton<ImageQueries>();
        services.AddSingleton<ImageChanges>();
        services.AddSingleton<IEcsActionHandler, DescribeImagesHandler>();
        services.AddSingleton<IEcsActionHandler, DescribeImageFromFamilyHandler>();
        services.AddSingleton<IEcsActionHandler, ModifyImageAttributeHandler>();
        services.AddSingleton<IEcsActionHandler, DeleteImageHandler>();
        services.AddSingleton<IEcsActionHandler, DescribeImageSupportInstanceTypesHandler>();
    }
}
