using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Snapshots;

namespace Imago.Api.Actions.Snapshots;

/// <summary>CreateSnapshot: <c>{"SnapshotId"}</c>; the snapshot is progressing until its task finishes it.</summary>
public sealed class CreateSnapshotHandler(SnapshotService snapshots) : IEcsActionHandler
{
    public string Action => "CreateSnapshot";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var create = new CreateSnapshotRequest(
            RegionId: p.GetString("RegionId", 64),
            DiskId: p.Require("DiskId", 64),
            SnapshotName: p.GetString("SnapshotName", 256),
            Description: p.GetString("Description", 1024),
            RetentionDays: p.GetInt("RetentionDays", 1, 65536),
            Tags: p.GetTags(),
            ClientToken: p.GetString("ClientToken", 256),
            DryRun: p.GetBool("DryRun") ?? false);
        var snapshotId = await snapshots.CreateAsync(request.Caller, create, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["SnapshotId"] = snapshotId };
    }
}
