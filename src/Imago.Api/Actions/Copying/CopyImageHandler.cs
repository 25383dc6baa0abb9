using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Copying;

namespace Imago.Api.Actions.Copying;

/// <summary>CopyImage (ecs-api.md 3.3): RegionId is the source region; answers <c>{"ImageId"}</c>, the copy in the destination region.</summary>
public sealed class CopyImageHandler(CopyImageService copies) : IEcsActionHandler
{
    public string Action => "CopyImage";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var copy = new CopyImageRequest(
            RegionId: request.RegionId,
            ImageId: p.Require("ImageId", 128),
            DestinationRegionId: p.GetString("DestinationRegionId", 64),
            DestinationImageName: p.GetString("DestinationImageName", 256),
            DestinationDescription: p.GetString("DestinationDescription", 1024),
            Encrypted: p.GetBool("Encrypted") ?? false,
            KmsKeyId: p.GetString("KMSKeyId", 256),
            ResourceGroupId: p.GetString("ResourceGroupId", 64),
            Tags: p.GetTags(),
            ClientToken: p.GetString("ClientToken", 256),
            DryRun: p.GetBool("DryRun") ?? false);
        var result = await copies.CopyAsync(request.Caller, copy, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["ImageId"] = result.ImageId };
    }
}
