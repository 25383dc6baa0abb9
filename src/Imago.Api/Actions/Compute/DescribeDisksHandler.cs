using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Compute;
using Imago.Core.Compute.Nbd;
using Imago.Data.Entities;

namespace Imago.Api.Actions.Compute;

/// <summary>
/// DescribeDisks: <c>Disks.Disk[]</c> of the caller's disks in the region, each with the non-ECS field
/// <c>NbdUrl</c> (where the disk is served over NBD; absent when the NBD server is off).
/// </summary>
internal sealed class DescribeDisksHandler(DiskService disks, DiskNbdServer nbd) : IEcsActionHandler
{
    public string Action => "DescribeDisks";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var category = p.GetEnum("Category", ["all", .. DiskCategories.All]);
        var filter = new DiskFilter
        {
            RegionId = request.RegionId,
            DiskIds = p.GetJsonArray("DiskIds"),
            InstanceId = p.GetString("InstanceId", 128),
            DiskType = p.GetEnum("DiskType", "all", DiskTypes.System, DiskTypes.Data),
            Category = category == "all" ? null : category,
            Status = p.GetEnum("Status", DiskStatuses.InUse, DiskStatuses.Available, "Attaching", "Detaching", DiskStatuses.Creating,
                DiskStatuses.ReIniting, "All"),
            SnapshotId = p.GetString("SnapshotId", 128),
            ZoneId = p.GetString("ZoneId", 64),
            DiskName = p.GetString("DiskName", 128),
            DeleteWithInstance = p.GetBool("DeleteWithInstance"),
        };
        var page = await disks.DescribeAsync(request.Caller, filter, PagingParameters.Read(p, 100, 500), cancellationToken);
        return PagingParameters.Response(page, "Disks", "Disk", Shape);
    }

    private JsonNode Shape(DiskDetails details)
    {
        var d = details.Disk;
        var attached = d.InstanceId is not null;
        var disk = new JsonObject
        {
            ["DiskId"] = d.Id,
            ["DiskName"] = d.Name,
            ["Description"] = d.Description,
            ["Type"] = d.Type,
            ["Category"] = d.Category,
            ["Size"] = d.SizeGiB,
            ["Status"] = d.Status,
            ["InstanceId"] = d.InstanceId ?? "",
            ["Device"] = d.Device,
            ["ImageId"] = d.ImageId,
            ["SourceSnapshotId"] = d.SourceSnapshotId,
            ["ProductCode"] = d.ProductCode,
            ["RegionId"] = d.RegionId,
            ["ZoneId"] = d.ZoneId,
            ["CreationTime"] = EcsJson.Time(d.CreatedAt),
            ["AttachedTime"] = attached ? EcsJson.Time(d.CreatedAt) : "",
            ["DetachedTime"] = "",
            ["Encrypted"] = false,
            ["Portable"] = d.Type == DiskTypes.Data,
            ["DeleteWithInstance"] = d.DeleteWithInstance,
            ["DeleteAutoSnapshot"] = false,
            ["EnableAutoSnapshot"] = false,
            ["EnableAutomatedSnapshotPolicy"] = false,
            ["AutoSnapshotPolicyId"] = "",
            ["PerformanceLevel"] = d.Category == "cloud_essd" ? "PL1" : "",
            ["DiskChargeType"] = "PostPaid",
            ["MultiAttach"] = "Disabled",
            ["BdfId"] = "",
            ["Tags"] = EcsJson.Tags(details.Tags),
            ["OperationLocks"] = EcsJson.Wrap("OperationLock", []),
            ["Attachments"] = EcsJson.Wrap("Attachment", attached
                ? [new JsonObject { ["InstanceId"] = d.InstanceId, ["Device"] = d.Device, ["AttachedTime"] = EcsJson.Time(d.CreatedAt) }]
                : []),
        };
        if (nbd.UrlFor(d.Id) is { } url)
        {
            disk["NbdUrl"] = url;
        }

        return disk;
    }
}
