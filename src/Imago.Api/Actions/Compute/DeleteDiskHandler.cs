using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Compute;

namespace Imago.Api.Actions.Compute;

/// <summary>DeleteDisk: a detached (Available) disk; an attached one is IncorrectDiskStatus.</summary>
internal sealed class DeleteDiskHandler(DiskService disks) : IEcsActionHandler
{
    public string Action => "DeleteDisk";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        await disks.DeleteAsync(request.Caller, request.Parameters.Require("DiskId", 128), cancellationToken);
        return [];
    }
}
