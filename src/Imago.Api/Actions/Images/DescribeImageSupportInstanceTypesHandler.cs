using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Errors;
using Imago.Core.Images;

namespace Imago.Api.Actions.Images;

/// <summary>
/// DescribeImageSupportInstanceTypes (ecs-api.md 3.12). The image id comes from ImageId, or else from the legacy
/// <c>Filter.N.Key=imageId</c>.
/// </summary>
internal sealed class DescribeImageSupportInstanceTypesHandler(ImageQueries queries) : IEcsActionHandler
{
    public string Action => "DescribeImageSupportInstanceTypes";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var regionId = request.RegionId;
        var imageId = p.GetString("ImageId", 128)
            ?? ImageParameters.Filters(p).FirstOrDefault(f => f.Key.Equals("imageId", StringComparison.OrdinalIgnoreCase)).Value
            ?? throw EcsErrors.MissingParameter("ImageId");
        var types = await queries.SupportedInstanceTypesAsync(request.Caller, regionId, imageId, p.GetString("ActionType", 32), cancellationToken)
            .ConfigureAwait(false);
        return new JsonObject
        {
            ["ImageId"] = imageId,
            ["RegionId"] = regionId,
            ["InstanceTypes"] = EcsJson.Wrap("InstanceType", types.Select(t => (JsonNode?)new JsonObject
            {
                ["InstanceTypeId"] = t.InstanceTypeId,
                ["InstanceTypeFamily"] = t.InstanceTypeFamily,
                ["CpuCoreCount"] = t.CpuCoreCount,
                ["MemorySize"] = t.MemorySize,
            })),
        };
    }
}
