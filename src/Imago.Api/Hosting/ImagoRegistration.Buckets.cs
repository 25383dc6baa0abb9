using Imago.Api.Actions.Importing;
using Imago.Api.Objects;
using Imago.Api.Rpc;
using Imago.Core;
using Imago.Core.Buckets;
using Imago.Core.Importing;
using Imago.Core.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    /// <summary>The bucket store under the data directory, its HTTP object API on /oss/, and ImportImage (which reads from it) with its task handler.</summary>
    static partial void AddBuckets(IServiceCollection services)
    {
        services.AddSingleton<IBucketStore>(provider =>
            DirectoryBucketStore.Open(provider.GetRequiredService<ServiceOptions>().DataDirectory, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<OssAuthenticator>();
        services.AddSingleton<BucketOperations>();
        services.AddSingleton<ObjectOperations>();
        services.AddSingleton<ObjectEndpoint>();
        services.AddSingleton<ImageImportService>();
        services.AddSingleton<ITaskHandler, ImportImageTaskHandler>();
        services.AddSingleton<IEcsActionHandler, ImportImageHandler>();
    }
}
