using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Images;

namespace Imago.Api.Actions.Images;

/// <summary>DeleteImage (ecs-api.md 3.7).</summary>
internal sealed class DeleteImageHandler(ImageChanges changes) : IEcsActionHandler
{
    public string Action => "DeleteImage";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var regionId = request.RegionId;
        var imageId = p.Require("ImageId", 128);
        await changes.DeleteAsync(request.Caller, regionId, imageId, p.GetBool("Force") ?? false, p.GetBool("DryRun") ?? false, cancellationToken)
            .ConfigureAwait(false);
        return [];
    }
}
