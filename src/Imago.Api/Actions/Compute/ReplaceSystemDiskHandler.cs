using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Common;
using Imago.Core.Compute;

namespace Imago.Api.Actions.Compute;

/// <summary>ReplaceSystemDisk: <c>{"DiskId"}</c>, the new system disk. ECS takes no RegionId here (one given must be the instance's).</summary>
internal sealed class ReplaceSystemDiskHandler(InstanceService instances) : IEcsActionHandler
{
    public string Action => "ReplaceSystemDisk";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var diskId = await instances.ReplaceSystemDiskAsync(request.Caller, new ReplaceSystemDiskRequest
        {
            RegionId = p.GetString("RegionId", 64),
            InstanceId = p.Require("InstanceId", 128),
            ImageId = p.Require("ImageId", 128),
            SizeGiB = p.GetInt("SystemDisk.Size", 1, int.MaxValue),
            ClientToken = Idempotency.Validate(p.GetString("ClientToken", Idempotency.MaxTokenLength)),
        }, cancellationToken);
        return new JsonObject { ["DiskId"] = diskId };
    }
}
