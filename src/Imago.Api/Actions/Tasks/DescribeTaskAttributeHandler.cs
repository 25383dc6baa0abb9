using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Regions;
using Imago.Core.Tasks;
using Imago.Data.Entities;

namespace Imago.Api.Actions.Tasks;

/// <summary>DescribeTaskAttribute: one task of the caller, with TaskProcess and one OperationProgress.</summary>
public sealed class DescribeTaskAttributeHandler(TaskQueries tasks, TaskRunner runner, RegionCatalog regions) : IEcsActionHandler
{
    public string Action => "DescribeTaskAttribute";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var regionId = regions.Require(request.RegionId).RegionId;
        var task = await tasks.GetAsync(request.Caller, regionId, request.Parameters.Require("TaskId", 64), cancellationToken).ConfigureAwait(false);
        var (code, message) = TaskJson.Failure(task);
        var related = runner.FindHandler(task.Action)?.RelatedItems(task.ResourceId, task.Payload) ?? [new("ResourceId", task.ResourceId)];
        var operation = new JsonObject
        {
            ["OperationStatus"] = task.Status,
            ["ErrorCode"] = code,
            ["ErrorMsg"] = message,
            ["RelatedItemSet"] = EcsJson.Wrap("RelatedItem", related.Select(r => (JsonNode?)new JsonObject { ["Name"] = r.Key, ["Value"] = r.Value })),
        };
        return new JsonObject
        {
            ["RegionId"] = regionId,
            ["TaskId"] = task.Id,
            ["TaskAction"] = task.Action,
            ["TaskStatus"] = task.Status,
            ["TaskProcess"] = EcsJson.Percent(task.Progress),
            ["SupportCancel"] = TaskJson.SupportCancel(task),
            ["CreationTime"] = TaskJson.Time(task.CreatedAt),
            ["FinishedTime"] = TaskJson.Time(task.FinishedAt),
            ["TotalCount"] = 1,
            ["SuccessCount"] = task.Status == TaskStatuses.Finished ? 1 : 0,
            ["FailedCount"] = task.Status == TaskStatuses.Failed ? 1 : 0,
            ["OperationProgressSet"] = EcsJson.Wrap("OperationProgress", [operation]),
        };
    }
}
