using Imago.Core;

namespace Imago.Api.Rpc;

/// <summary>An authenticated ECS API call as an action handler sees it.</summary>
/// <param name="Action">The action name, e.g. <c>DescribeImages</c>.</param>
/// <param name="RequestId">The id every response (and the request log line) carries.</param>
/// <param name="Caller">The account the AccessKey belongs to.</param>
/// <param name="Parameters">API parameters (query and form merged; signature parameters removed).</param>
public sealed record EcsRequest(string Action, string RequestId, Caller Caller, RpcParameters Parameters)
{
    /// <summary>RegionId, required: a region this service runs, or InvalidRegionId.NotFound.</summary>
    public string RegionId => Parameters.Require("RegionId", 64);
}
