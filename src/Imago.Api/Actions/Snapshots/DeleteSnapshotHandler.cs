using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Snapshots;

namespace Imago.Api.Actions.Snapshots;

/// <summary>DeleteSnapshot: refused while an image maps the snapshot, and without Force while disks came from it.</summary>
public sealed class DeleteSnapshotHandler(SnapshotService snapshots) : IEcsActionHandler
{
    public string Action => "DeleteSnapshot";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        await snapshots.DeleteAsync(request.Caller, p.GetString("RegionId", 64), p.Require("SnapshotId", 64), p.GetBool("Force") ?? false, cancellationToken)
            .ConfigureAwait(false);
        return [];
    }
}
