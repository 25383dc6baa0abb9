using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Compute;
using Imago.Core.Regions;

namespace Imago.Api.Actions.Regions;

/// <summary>
/// DescribeZones: the zones of one region, each able to create every resource this service has (instances and
/// disks of the catalog's types and categories), with the wrapper objects the real API returns.
/// <c>Verbose=false</c> leaves out the per-type details, as on ECS.
/// </summary>
public sealed class DescribeZonesHandler(RegionCatalog regions, InstanceTypeCatalog instanceTypes) : IEcsActionHandler
{
    /// <summary>The disk categories instances and disks accept (see docs/api.md).</summary>
    public static readonly string[] DiskCategories = ["cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto"];

    private static readonly string[] ResourceTypes = ["VSwitch", "IoOptimized", "Instance", "Disk"];

    public string Action => "DescribeZones";

    public Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var parameters = request.Parameters;
        var region = regions.Require(request.RegionId);
        var language = AcceptLanguage.Read(parameters);
        parameters.GetEnum("InstanceChargeType", "PrePaid", "PostPaid");
        parameters.GetEnum("SpotStrategy", "NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo");
        var verbose = parameters.GetBool("Verbose") ?? true;

        var types = instanceTypes.All.OrderBy(t => t.InstanceTypeId, StringComparer.Ordinal).ToList();
        var zones = region.Zones.Select(zone =>
        {
            var item = new JsonObject
            {
                ["ZoneId"] = zone.ZoneId,
                ["LocalName"] = AcceptLanguage.ZoneName(region, zone, language),
                ["ZoneType"] = "AvailabilityZone",
                ["AvailableResourceCreation"] = Strings("ResourceTypes", ResourceTypes),
                ["AvailableDiskCategories"] = Strings("DiskCategories", DiskCategories),
                ["AvailableVolumeCategories"] = Strings("VolumeCategories", []),
                ["AvailableDedicatedHostTypes"] = Strings("DedicatedHostType", []),
                ["DedicatedHostGenerations"] = Strings("DedicatedHostGeneration", []),
            };
            if (verbose)
            {
                item["AvailableInstanceTypes"] = Strings("InstanceTypes", types.Select(t => t.InstanceTypeId));
                item["AvailableResources"] = EcsJson.Wrap("ResourcesInfo", [new JsonObject
                {
                    ["IoOptimized"] = true,
                    ["SystemDiskCategories"] = Strings("supportedSystemDiskCategory", DiskCategories),
                    ["DataDiskCategories"] = Strings("supportedDataDiskCategory", DiskCategories),
                    ["NetworkTypes"] = Strings("supportedNetworkCategory", ["vpc"]),
                    ["InstanceTypes"] = Strings("supportedInstanceType", types.Select(t => t.InstanceTypeId)),
                    ["InstanceTypeFamilies"] = Strings("supportedInstanceTypeFamily", types.Select(t => t.InstanceTypeFamily).Distinct()),
                    ["InstanceGenerations"] = Strings("supportedInstanceGeneration", ["ecs-5", "ecs-6"]),
                }]);
            }

            return (JsonNode?)item;
        });
        return Task.FromResult(new JsonObject { ["Zones"] = EcsJson.Wrap("Zone", zones) });
    }

    private static JsonObject Strings(string name, IEnumerable<string> values) => EcsJson.Wrap(name, values.Select(v => (JsonNode?)v));
}
