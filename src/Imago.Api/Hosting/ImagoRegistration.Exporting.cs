using Imago.Api.Actions.Exporting;
using Imago.Api.Rpc;
using Imago.Core;
using Imago.Core.Exporting;
using Imago.Core.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    /// <summary>ExportImage (writes into the bucket store) with its task handler and staging area.</summary>
    static partial void AddExporting(IServiceCollection services)
    {
        services.AddSingleton(provider => ExportStaging.Open(provider.GetRequiredService<ServiceOptions>().DataDirectory));
        services.AddSingleton<ImageExportService>();
        services.AddSingleton<ITaskHandler, ExportImageTaskHandler>();
        services.AddSingleton<IEcsActionHandler, ExportImageHandler>();
    }
}
