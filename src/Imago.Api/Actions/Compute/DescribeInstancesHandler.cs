using System.Globalization;
using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Compute;
using Imago.Data.Entities;

namespace Imago.Api.Actions.Compute;

/// <summary>DescribeInstances: <c>Instances.Instance[]</c> of the caller's instances in the region.</summary>
internal sealed class DescribeInstancesHandler(InstanceQueries queries) : IEcsActionHandler
{
    public string Action => "DescribeInstances";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var filter = new InstanceFilter
        {
            RegionId = request.RegionId,
            InstanceIds = p.GetJsonArray("InstanceIds"),
            ImageId = p.GetString("ImageId", 128),
            Status = p.GetEnum("Status", InstanceStatuses.Pending, InstanceStatuses.Running, InstanceStatuses.Starting,
                InstanceStatuses.Stopping, InstanceStatuses.Stopped),
            ZoneId = p.GetString("ZoneId", 64),
            InstanceType = p.GetString("InstanceType", 64),
            InstanceName = p.GetString("InstanceName", 128),
            Tags = p.GetTags(),
        };
        var page = await queries.DescribeAsync(request.Caller, filter, PagingParameters.Read(p, 100, 100), cancellationToken);
        return PagingParameters.Response(page, "Instances", "Instance", Shape);
    }

    private static JsonNode Shape(InstanceDetails details)
    {
        var i = details.Instance;
        return new JsonObject
        {
            ["InstanceId"] = i.Id,
            ["InstanceName"] = i.Name,
            ["Description"] = i.Description,
            ["HostName"] = i.HostName,
            ["ImageId"] = i.ImageId,
            ["Status"] = i.Status,
            ["RegionId"] = i.RegionId,
            ["ZoneId"] = i.ZoneId,
            ["InstanceType"] = i.InstanceType,
            ["InstanceTypeFamily"] = details.Type?.InstanceTypeFamily ?? "",
            ["Cpu"] = details.Type?.CpuCoreCount ?? 0,
            ["Memory"] = (int)Math.Round((details.Type?.MemorySize ?? 0) * 1024, MidpointRounding.AwayFromZero),
            ["OSName"] = i.OSName,
            ["OSNameEn"] = i.OSNameEn,
            ["OSType"] = i.OSType,
            ["CreationTime"] = ShortTime(i.CreatedAt),
            ["StartTime"] = ShortTime(i.CreatedAt),
            ["ExpiredTime"] = "2099-12-31T15:59Z",
            ["InstanceChargeType"] = i.InstanceChargeType,
            ["InternetChargeType"] = "PayByTraffic",
            ["InstanceNetworkType"] = "vpc",
            ["IoOptimized"] = true,
            ["DeletionProtection"] = false,
            ["StoppedMode"] = i.Status == InstanceStatuses.Stopped ? "KeepCharging" : "Not-applicable",
            ["SpotStrategy"] = "NoSpot",
            ["OperationLocks"] = EcsJson.Wrap("LockReason", []),
            ["Tags"] = EcsJson.Tags(details.Tags),
        };
    }

    /// <summary>DescribeInstances writes instance times to the minute (<c>2024-01-01T08:00Z</c>), as ECS does.</summary>
    private static string ShortTime(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
}
