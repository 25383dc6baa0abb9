using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Images;

namespace Imago.Api.Actions.Images;

/// <summary>DescribeImageFromFamily (ecs-api.md 3.13): a single <c>Image</c> object, empty when the family has no Available image.</summary>
internal sealed class DescribeImageFromFamilyHandler(ImageQueries queries) : IEcsActionHandler
{
    public string Action => "DescribeImageFromFamily";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var regionId = request.RegionId;
        var family = request.Parameters.Require("ImageFamily", 128);
        var view = await queries.FromFamilyAsync(request.Caller, regionId, family, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["Image"] = view is null ? new JsonObject() : ImageJson.Image(view) };
    }
}
