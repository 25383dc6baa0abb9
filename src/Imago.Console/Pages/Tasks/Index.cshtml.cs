using Imago.Core.Compute;
using Imago.Core.Copying;
using Imago.Core.Exporting;
using Imago.Core.Importing;
using Imago.Core.Snapshots;
using Imago.Core.Tasks;
using Imago.Data.Entities;
using Imago.WebConsole.Pages.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Tasks;

/// <summary>
/// The Tasks list (DescribeTasks' TaskQueries): the account's long work in the region, newest first, filterable by
/// action and status, with Cancel for a Processing task that supports it (CancelTask through the TaskRunner).
/// </summary>
public sealed class IndexModel(TaskQueries queries, TaskRunner runner) : ListPageModel
{
    public static readonly IReadOnlyList<string> Actions =
        [ImportErrors.TaskKind, ExportErrors.TaskKind, CopyErrors.TaskKind, SnapshotKinds.CreateImageTask, SnapshotKinds.CreateSnapshotTask];

    public static readonly IReadOnlyList<string> Statuses = [TaskStatuses.Processing, TaskStatuses.Finished, TaskStatuses.Failed, TaskStatuses.Cancelled];

    [BindProperty(SupportsGet = true, Name = "action")]
    public string? TaskAction { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public string? TaskStatus { get; set; }

    [BindProperty]
    public string? TaskId { get; set; }

    public Page<TaskEntity>? Result { get; private set; }

    public string Link(int page) =>
        ListLinks.Build("/console/tasks", ("action", TaskAction), ("status", TaskStatus), ("page", page > 1 ? $"{page}" : null));

    public static bool CanCancel(TaskEntity task) => task is { Status: TaskStatuses.Processing, SupportCancel: true };

    public async Task OnGetAsync()
    {
        TaskAction = Actions.Contains(TaskAction) ? TaskAction : null;
        TaskStatus = Statuses.Contains(TaskStatus) ? TaskStatus : null;
        Result = await ReadAsync(() => queries.ListAsync(Caller, Region,
            new TaskQuery(TaskAction: TaskAction, TaskStatus: TaskStatus, PageNumber: PageNumber, PageSize: PageSize), HttpContext.RequestAborted));
    }

    public Task<IActionResult> OnPostCancelAsync() =>
        ActAsync(() => runner.CancelAsync(Caller, Region, TaskId ?? "", HttpContext.RequestAborted),
            $"Task {TaskId} cancelled.", () => Redirect(Link(1)), async () =>
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                await OnGetAsync();
                return Page();
            });
}
