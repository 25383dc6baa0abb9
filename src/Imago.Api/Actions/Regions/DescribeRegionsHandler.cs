using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Errors;
using Imago.Core.Regions;

namespace Imago.Api.Actions.Regions;

/// <summary>DescribeRegions (ecs-api.md 4.6): every region this service runs, all <c>available</c>.</summary>
public sealed class DescribeRegionsHandler(RegionCatalog regions) : IEcsActionHandler
{
    private static readonly string[] ResourceTypes = ["instance", "disk", "reservedinstance", "scu"];

    public string Action => "DescribeRegions";

    public Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var parameters = request.Parameters;
        var language = AcceptLanguage.Read(parameters);
        var resourceType = parameters.GetString("ResourceType", 64);
        if (resourceType is not null && !ResourceTypes.Contains(resourceType, StringComparer.Ordinal))
        {
            throw new EcsException("InvalidResourceType.NotFound", $"The specified ResourceType \"{EcsErrors.Printable(resourceType)}\" is not found.", 404);
        }

        parameters.GetEnum("InstanceChargeType", "PrePaid", "PostPaid");

        var items = regions.All.OrderBy(r => r.RegionId, StringComparer.Ordinal).Select(region => (JsonNode?)new JsonObject
        {
            ["RegionId"] = region.RegionId,
            ["LocalName"] = AcceptLanguage.RegionName(region, language),
            ["RegionEndpoint"] = region.RegionEndpoint,
            ["Status"] = "available",
        });
        return Task.FromResult(new JsonObject { ["Regions"] = EcsJson.Wrap("Region", items) });
    }
}
