using Imago.Core.Compute;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tasks;

/// <summary>DescribeTasks and DescribeTaskAttribute: the caller's tasks in a region.</summary>
public sealed class TaskQueries(ImagoDatabase database)
{
    public async Task<Page<TaskEntity>> ListAsync(Caller caller, string regionId, TaskQuery query, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var tasks = db.Tasks.AsNoTracking().Where(t => t.AccountId == caller.AccountId && t.RegionId == regionId);
        if (query.TaskIds is { Count: > 0 } ids)
        {
            tasks = tasks.Where(t => ids.Contains(t.Id));
        }

        if (query.TaskAction is { } action)
        {
            tasks = tasks.Where(t => t.Action == action);
        }

        if (query.TaskStatus is { } status)
        {
            tasks = tasks.Where(t => t.Status == status);
        }

        if (query.StartTime is { } start)
        {
            tasks = tasks.Where(t => t.CreatedAt >= start);
        }

        if (query.EndTime is { } end)
        {
            tasks = tasks.Where(t => t.CreatedAt <= end);
        }

        if (query.ResourceIds is { Count: > 0 } resources)
        {
            tasks = tasks.Where(t => resources.Contains(t.ResourceId));
        }

        var ordered = tasks.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id);
        return await Paging.ApplyAsync(ordered, new PageRequest(query.PageNumber, query.PageSize), query.PageSize, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The caller's task, or InvalidTaskId.NotFound (another account's task answers the same).</summary>
    public async Task<TaskEntity> GetAsync(Caller caller, string regionId, string taskId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return await db.Tasks.AsNoTracking()
            .FirstOrDefaultAsync(t => t.Id == taskId && t.AccountId == caller.AccountId && t.RegionId == regionId, cancellationToken)
            .ConfigureAwait(false) ?? throw TaskErrors.NotFound(taskId);
    }
}
