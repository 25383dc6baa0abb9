using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Sharing;

namespace Imago.Api.Actions.Sharing;

/// <summary>ModifyImageShareGroupPermission (ecs-api.md 3.11, deprecated): only group <c>all</c> exists, and it is never granted.</summary>
internal sealed class ModifyImageShareGroupPermissionHandler(ImageSharing sharing) : IEcsActionHandler
{
    public string Action => "ModifyImageShareGroupPermission";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var regionId = request.RegionId;
        var imageId = p.Require("ImageId", 128);
        await sharing.ModifyGroupAsync(request.Caller, regionId, imageId, SharingParameters.Named(p, "AddGroup"),
            SharingParameters.Named(p, "RemoveGroup"), p.GetBool("DryRun") ?? false, cancellationToken).ConfigureAwait(false);
        return [];
    }
}
