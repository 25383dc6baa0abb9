using Imago.Api.Tests.Infrastructure;
using Imago.Core.Buckets;
using Imago.Formats.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;

namespace Imago.Api.Tests.Exporting;

/// <summary>What the export tests share: fetching an object into a local file for qemu-img.</summary>
internal static class ExportApi
{
    public static async Task<string> FetchAsync(ImagoServer server, TempDirectory temp, string bucket, string key)
    {
        var path = Path.Combine(temp.Path, "fetched-" + Guid.NewGuid().ToString("N"));
        await using var content = await server.GetRequiredService<IBucketStore>().OpenReadAsync(Region, bucket, key, CancellationToken.None);
        await using var file = File.Create(path);
        await content.CopyToAsync(file);
        return path;
    }
}
