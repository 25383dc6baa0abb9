using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Regions;
using Imago.Core.Tasks;

namespace Imago.Api.Actions.Tasks;

/// <summary>CancelTask: stops a cancellable Processing task of the caller; answers once it is Cancelled.</summary>
public sealed class CancelTaskHandler(TaskRunner runner, RegionCatalog regions) : IEcsActionHandler
{
    public string Action => "CancelTask";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var regionId = regions.Require(request.RegionId).RegionId;
        await runner.CancelAsync(request.Caller, regionId, request.Parameters.Require("TaskId", 64), cancellationToken).ConfigureAwait(false);
        return [];
    }
}
