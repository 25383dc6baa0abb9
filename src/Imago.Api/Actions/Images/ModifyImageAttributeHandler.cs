using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Images;

namespace Imago.Api.Actions.Images;

/// <summary>ModifyImageAttribute (ecs-api.md 3.8).</summary>
internal sealed class ModifyImageAttributeHandler(ImageChanges changes) : IEcsActionHandler
{
    public string Action => "ModifyImageAttribute";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var regionId = request.RegionId;
        var imageId = p.Require("ImageId", 128);
        var attributes = new ImageAttributeChanges
        {
            ImageName = p.GetString("ImageName", 1024),
            Description = p.GetString("Description", 1024),
            ImageFamily = p.GetString("ImageFamily", 1024),
            BootMode = p.GetString("BootMode", 32),
            LicenseType = p.GetString("LicenseType", 32),
            NvmeSupport = p.GetString("Features.NvmeSupport", 32),
            ImdsSupport = p.GetString("Features.ImdsSupport", 32),
            Status = p.GetString("Status", 32),
        };
        await changes.ModifyAsync(request.Caller, regionId, imageId, attributes, p.GetBool("DryRun") ?? false, cancellationToken).ConfigureAwait(false);
        return [];
    }
}
