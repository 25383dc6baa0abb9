using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Compute;

namespace Imago.Api.Actions.Compute;

/// <summary>CreateInstance: <c>{"InstanceId","OrderId","TradePrice"}</c>; the instance is Stopped.</summary>
internal sealed class CreateInstanceHandler(InstanceService instances) : IEcsActionHandler
{
    public string Action => "CreateInstance";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var instanceId = await instances.CreateInstanceAsync(request.Caller, LaunchParameters.Read(request, withAmount: false), cancellationToken);
        return new JsonObject { ["InstanceId"] = instanceId, ["OrderId"] = "", ["TradePrice"] = 0.0 };
    }
}
