using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Compute;

namespace Imago.Api.Actions.Compute;

/// <summary>RunInstances: <c>{"InstanceIdSets":{"InstanceIdSet":[...]},"OrderId","TradePrice"}</c>.</summary>
internal sealed class RunInstancesHandler(InstanceService instances) : IEcsActionHandler
{
    public string Action => "RunInstances";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var result = await instances.RunInstancesAsync(request.Caller, LaunchParameters.Read(request, withAmount: true), cancellationToken);
        return new JsonObject
        {
            ["InstanceIdSets"] = EcsJson.Wrap("InstanceIdSet", result.InstanceIds.Select(id => (JsonNode?)id)),
            ["OrderId"] = "",
            ["TradePrice"] = 0.0,
        };
    }
}
