using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Copying;

namespace Imago.Api.Actions.Copying;

/// <summary>CancelCopyImage (ecs-api.md 3.4): RegionId and ImageId of the copy; answers once the partial copy is gone.</summary>
public sealed class CancelCopyImageHandler(CopyImageService copies) : IEcsActionHandler
{
    public string Action => "CancelCopyImage";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        await copies.CancelAsync(request.Caller, request.RegionId, request.Parameters.Require("ImageId", 128), cancellationToken).ConfigureAwait(false);
        return [];
    }
}
