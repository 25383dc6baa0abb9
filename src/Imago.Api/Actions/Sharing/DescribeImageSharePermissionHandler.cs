using System.Globalization;
using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Sharing;

namespace Imago.Api.Actions.Sharing;

/// <summary>
/// DescribeImageSharePermission (ecs-api.md 3.10): the accounts the caller's own image is shared with, oldest share
/// first, paged; <c>ShareGroups.ShareGroup</c> is always empty (no image is public here).
/// </summary>
internal sealed class DescribeImageSharePermissionHandler(ImageSharing sharing) : IEcsActionHandler
{
    public string Action => "DescribeImageSharePermission";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var regionId = request.RegionId;
        var imageId = p.Require("ImageId", 128);
        var (pageNumber, pageSize) = p.GetPaging(10, 100);
        var page = await sharing.DescribeAsync(request.Caller, regionId, imageId, pageNumber, pageSize, cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["ImageId"] = imageId,
            ["RegionId"] = regionId,
            ["TotalCount"] = page.TotalCount,
            ["PageNumber"] = page.PageNumber,
            ["PageSize"] = page.PageSize,
            ["Accounts"] = EcsJson.Wrap("Account", page.Accounts.Select(a => (JsonNode)new JsonObject
            {
                ["AliyunId"] = a.AccountId.ToString(CultureInfo.InvariantCulture),
                ["SharedTime"] = EcsJson.Time(a.SharedAt),
            })),
            ["ShareGroups"] = EcsJson.Wrap("ShareGroup", []),
        };
    }
}
