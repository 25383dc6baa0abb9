using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Compute;

namespace Imago.Api.Actions.Compute;

/// <summary>StartInstance: Stopped → Running.</summary>
internal sealed class StartInstanceHandler(InstanceService instances) : IEcsActionHandler
{
    public string Action => "StartInstance";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        await instances.StartInstanceAsync(request.Caller, p.GetString("RegionId", 64), p.Require("InstanceId", 128), p.GetBool("DryRun") ?? false, cancellationToken);
        return [];
    }
}

/// <summary>StopInstance: Running → Stopped (ForceStop and StoppedMode are accepted; the stop is immediate).</summary>
internal sealed class StopInstanceHandler(InstanceService instances) : IEcsActionHandler
{
    public string Action => "StopInstance";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        p.GetBool("ForceStop");
        p.GetEnum("StoppedMode", "StopCharging", "KeepCharging");
        await instances.StopInstanceAsync(request.Caller, p.GetString("RegionId", 64), p.Require("InstanceId", 128), p.GetBool("DryRun") ?? false, cancellationToken);
        return [];
    }
}

/// <summary>DeleteInstance: a Stopped instance, or any with Force=true.</summary>
internal sealed class DeleteInstanceHandler(InstanceService instances) : IEcsActionHandler
{
    public string Action => "DeleteInstance";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        p.GetBool("TerminateSubscription");
        await instances.DeleteInstanceAsync(request.Caller, p.GetString("RegionId", 64), p.Require("InstanceId", 128), p.GetBool("Force") ?? false,
            p.GetBool("DryRun") ?? false, cancellationToken);
        return [];
    }
}
