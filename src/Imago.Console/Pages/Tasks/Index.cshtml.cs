using Imago.Core.Compute;
using Imago.Core.Tasks;
using Imago.Data.Entities;

namespace Imago.WebConsole.Pages.Tasks;

/// <summary>The Tasks list (DescribeTasks' TaskQueries): the account's long work in the region, newest first.</summary>
public sealed class IndexModel(TaskQueries queries) : ListPageModel
{
    public Page<TaskEntity>? Result { get; private set; }

    public static string Link(int page) => page > 1 ? $"/console/tasks?page={page}" : "/console/tasks";

    public async Task OnGetAsync()
    {
        Result = await ReadAsync(() => queries.ListAsync(Caller, Region, new TaskQuery(PageNumber: PageNumber, PageSize: PageSize), HttpContext.RequestAborted));
    }
}
