using System.Text.Json;
using Imago.Core.Buckets;
using Imago.Core.Errors;
using Imago.Core.Exporting;
using Imago.Core.Tasks;
using Imago.Data.Entities;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Exports;

/// <summary>
/// One ExportImage task of the signed-in account (TaskQueries: another account's task is the API's
/// InvalidTaskId.NotFound): its live progress and, once Finished, a download link per exported object. A download
/// streams the object from the task's bucket after the bucket gate (BucketAccess) has passed again, so it never
/// reads a bucket the caller may not use.
/// </summary>
public sealed class DetailModel(TaskQueries tasks, TaskRunner runner, IBucketStore buckets) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)]
    public string TaskId { get; set; } = "";

    public TaskEntity? Work { get; private set; }

    public ExportImagePayload? Export { get; private set; }

    public bool IsRunning => Work?.Status == TaskStatuses.Processing;

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFoundPage(TaskErrors.NotFound(TaskId));

    /// <summary>CancelTask (TaskRunner.CancelAsync, as the API's CancelTask); the page then shows the task Cancelled, or
    /// the API's refusal when it has already ended.</summary>
    public async Task<IActionResult> OnPostCancelAsync()
    {
        if (!await LoadAsync())
        {
            return NotFoundPage(TaskErrors.NotFound(TaskId));
        }

        return await ActAsync(() => runner.CancelAsync(Caller, Region, TaskId, HttpContext.RequestAborted),
            $"Export task {TaskId} cancelled.", () => Redirect($"/console/exports/{Uri.EscapeDataString(TaskId)}?region={Uri.EscapeDataString(Region)}"),
            async () =>
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return await LoadAsync() ? Page() : NotFoundPage(TaskErrors.NotFound(TaskId));
            });
    }

    /// <summary>The poller's JSON (console.js): the task's status and progress, or 404 like the page.</summary>
    public async Task<IActionResult> OnGetProgressAsync() =>
        await LoadAsync() ? new JsonResult(new { Status = Work!.Status, Work.Progress }) : NotFound();

    /// <summary>Streams exported object number <paramref name="disk"/> (0-based, the task's order) as an attachment.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(int disk)
    {
        if (!await LoadAsync() || Work!.Status != TaskStatuses.Finished || disk < 0 || disk >= Export!.Disks.Count)
        {
            return NotFound();
        }

        var key = Export.Disks[disk].Key;
        Stream content;
        try
        {
            await BucketAccess.RequireAsync(buckets, Caller, Region, Export.Bucket, HttpContext.RequestAborted);
            content = await buckets.OpenReadAsync(Region, Export.Bucket, key, HttpContext.RequestAborted);
        }
        catch (BucketException)
        {
            return NotFound();
        }

        return File(content, "application/octet-stream", key);
    }

    private async Task<bool> LoadAsync()
    {
        if (TaskId.Length is 0 or > 64)
        {
            return false;
        }

        try
        {
            Work = await tasks.GetAsync(Caller, Region, TaskId, HttpContext.RequestAborted);
        }
        catch (EcsException)
        {
            Work = null;
            return false;
        }

        if (Work.Action != ExportErrors.TaskKind)
        {
            Work = null;
            return false;
        }

        Export = JsonSerializer.Deserialize<ExportImagePayload>(Work.Payload);
        return Export is not null;
    }
}
