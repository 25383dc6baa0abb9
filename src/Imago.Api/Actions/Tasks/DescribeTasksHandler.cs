using Imago.Core.Common;
using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Regions;
using Imago.Core.Tasks;
using Imago.Data.Entities;

namespace Imago.Api.Actions.Tasks;

/// <summary>DescribeTasks: the caller's tasks in the region, newest first, as <c>TaskSet.Task[]</c> (an object).</summary>
public sealed class DescribeTasksHandler(TaskQueries tasks, RegionCatalog regions) : IEcsActionHandler
{
    private static readonly string[] Statuses = [TaskStatuses.Finished, TaskStatuses.Processing, TaskStatuses.Failed, TaskStatuses.Cancelled];

    public string Action => "DescribeTasks";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var regionId = regions.Require(request.RegionId).RegionId;
        var (pageNumber, pageSize) = p.GetPaging(10, 100);
        // TaskStatus: other values are ignored, as documented.
        var status = p.GetString("TaskStatus", 64) is { } s ? Statuses.FirstOrDefault(x => x.Equals(s, StringComparison.OrdinalIgnoreCase)) : null;
        var query = new TaskQuery(
            TaskIds: p.GetCommaList("TaskIds", 100),
            TaskAction: p.GetString("TaskAction", 64),
            TaskStatus: status,
            StartTime: Time(p, "StartTime"),
            EndTime: Time(p, "EndTime"),
            ResourceIds: p.GetList("ResourceIds", 100) is { Count: > 0 } r ? r : null,
            PageNumber: pageNumber,
            PageSize: pageSize);
        var page = await tasks.ListAsync(request.Caller, regionId, query, cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["RegionId"] = regionId,
            ["TotalCount"] = page.TotalCount,
            ["PageNumber"] = page.PageNumber,
            ["PageSize"] = page.PageSize,
            ["TaskSet"] = EcsJson.Wrap("Task", page.Items.Select(Item)),
        };
    }

    private static JsonNode Item(TaskEntity task) => new JsonObject
    {
        ["TaskId"] = task.Id,
        ["TaskAction"] = task.Action,
        ["TaskStatus"] = task.Status,
        ["CreationTime"] = TaskJson.Time(task.CreatedAt),
        ["FinishedTime"] = TaskJson.Time(task.FinishedAt),
        ["SupportCancel"] = TaskJson.SupportCancel(task),
        ["ResourceId"] = task.ResourceId,
        ["FailedReason"] = task.FailedReason,
        ["ResourceIds"] = EcsJson.Wrap("ResourceId", task.ResourceId.Length > 0 ? [JsonValue.Create(task.ResourceId)] : []),
    };

    private static DateTime? Time(RpcParameters p, string name) => p.GetString(name, 32) is { } text ? RequestTimes.Parse(text, name) : null;
}
