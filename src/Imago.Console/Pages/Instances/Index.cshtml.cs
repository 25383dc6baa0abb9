using Imago.Core.Compute;
using Imago.Data.Entities;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Instances;

/// <summary>The Instances list (DescribeInstances) with Start, Stop and Delete; instances are created on the Create page.</summary>
public sealed class IndexModel(InstanceQueries queries, InstanceService instances) : ListPageModel
{
    [BindProperty]
    public string? InstanceId { get; set; }

    public Page<InstanceDetails>? Result { get; private set; }

    public async Task OnGetAsync()
    {
        Result = await ReadAsync(() => queries.DescribeAsync(Caller, new InstanceFilter { RegionId = Region }, new PageRequest(PageNumber, PageSize),
                HttpContext.RequestAborted));
    }

    public Task<IActionResult> OnPostStartAsync() =>
        ActAsync(() => instances.StartInstanceAsync(Caller, Region, InstanceId ?? "", dryRun: false, HttpContext.RequestAborted),
            $"Instance {InstanceId} started.", () => Redirect("/console/instances"), ReloadAsync);

    public Task<IActionResult> OnPostStopAsync() =>
        ActAsync(() => instances.StopInstanceAsync(Caller, Region, InstanceId ?? "", dryRun: false, HttpContext.RequestAborted),
            $"Instance {InstanceId} stopped.", () => Redirect("/console/instances"), ReloadAsync);

    /// <summary>DeleteInstance without Force: a Running instance is refused with the API's message (stop it first).</summary>
    public Task<IActionResult> OnPostDeleteAsync() =>
        ActAsync(() => instances.DeleteInstanceAsync(Caller, Region, InstanceId ?? "", force: false, dryRun: false, HttpContext.RequestAborted),
            $"Instance {InstanceId} deleted.", () => Redirect("/console/instances"), ReloadAsync);

    public static string Link(int page) => page > 1 ? $"/console/instances?page={page}" : "/console/instances";

    public static bool CanStart(InstanceEntity instance) => instance.Status == InstanceStatuses.Stopped;

    public static bool CanStop(InstanceEntity instance) => instance.Status == InstanceStatuses.Running;

    private async Task<IActionResult> ReloadAsync()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        await OnGetAsync();
        return Page();
    }
}
