using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Sharing;

namespace Imago.Api.Actions.Sharing;

/// <summary>ModifyImageSharePermission (ecs-api.md 3.9): AddAccount.N / RemoveAccount.N on the caller's own image.</summary>
internal sealed class ModifyImageSharePermissionHandler(ImageSharing sharing) : IEcsActionHandler
{
    public string Action => "ModifyImageSharePermission";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var regionId = request.RegionId;
        var imageId = p.Require("ImageId", 128);
        var change = new SharePermissionChange(
            SharingParameters.Named(p, "AddAccount"), SharingParameters.Named(p, "RemoveAccount"), p.GetBool("IsPublic"));
        await sharing.ModifyAsync(request.Caller, regionId, imageId, change, p.GetBool("DryRun") ?? false, cancellationToken).ConfigureAwait(false);
        return [];
    }
}
