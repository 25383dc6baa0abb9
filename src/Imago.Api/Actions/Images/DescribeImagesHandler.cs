using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Images;

namespace Imago.Api.Actions.Images;

/// <summary>DescribeImages (ecs-api.md 3.1).</summary>
internal sealed class DescribeImagesHandler(ImageQueries queries) : IEcsActionHandler
{
    public string Action => "DescribeImages";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var regionId = request.RegionId;
        var (pageNumber, pageSize) = p.GetPaging(10, 100);
        var query = new ImageQuery
        {
            ImageIds = p.GetCommaList("ImageId", 100),
            ImageName = p.GetString("ImageName", 128),
            ImageFamily = p.GetString("ImageFamily", 128),
            SnapshotId = p.GetString("SnapshotId", 64),
            Statuses = p.GetCommaList("Status", 10),
            ImageOwnerAlias = p.GetString("ImageOwnerAlias", 32),
            ImageOwnerId = p.GetLong("ImageOwnerId", 0),
            IsPublic = p.GetBool("IsPublic"),
            Usage = p.GetString("Usage", 32),
            OSType = p.GetString("OSType", 32),
            Architecture = p.GetString("Architecture", 32),
            InstanceType = p.GetString("InstanceType", 64),
            IsSupportIoOptimized = p.GetBool("IsSupportIoOptimized"),
            IsSupportCloudinit = p.GetBool("IsSupportCloudinit"),
            ActionType = p.GetString("ActionType", 32),
            ResourceGroupId = p.GetString("ResourceGroupId", 64),
            Tags = ImageParameters.Tags(p),
            Filters = ImageParameters.Filters(p),
            PageNumber = pageNumber,
            PageSize = pageSize,
        };
        var page = await queries.DescribeAsync(request.Caller, regionId, query, p.GetBool("DryRun") ?? false, cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["RegionId"] = regionId,
            ["TotalCount"] = page.TotalCount,
            ["PageNumber"] = page.PageNumber,
            ["PageSize"] = page.PageSize,
            ["Images"] = EcsJson.Wrap("Image", page.Images.Select(v => (JsonNode?)ImageJson.Image(v))),
        };
    }
}
