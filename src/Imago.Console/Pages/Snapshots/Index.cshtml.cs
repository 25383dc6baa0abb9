using Imago.Core.Compute;
using Imago.Core.Snapshots;
using Imago.Data.Entities;
using Imago.WebConsole.Pages.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Snapshots;

/// <summary>
/// The Snapshots list (DescribeSnapshots' SnapshotQueries): the account's snapshots in the region, filterable by
/// status, with Delete (DeleteSnapshot: a snapshot an image or a disk was made from is refused with the API's message).
/// </summary>
public sealed class IndexModel(SnapshotQueries queries, SnapshotService snapshots) : ListPageModel
{
    public static readonly IReadOnlyList<string> Statuses = [SnapshotStatuses.Progressing, SnapshotStatuses.Accomplished, SnapshotStatuses.Failed];

    /// <summary>One status, or every status when empty (DescribeSnapshots' <c>all</c>).</summary>
    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    [BindProperty]
    public string? SnapshotId { get; set; }

    [BindProperty]
    public bool Force { get; set; }

    public Page<SnapshotView>? Result { get; private set; }

    public string Link(int page) => ListLinks.Build("/console/snapshots", ("status", Status), ("page", page > 1 ? $"{page}" : null));

    public async Task OnGetAsync()
    {
        var status = Statuses.Contains(Status) ? Status : null;
        Status = status;
        Result = await ReadAsync(() => queries.ListAsync(Caller, Region, new SnapshotQuery(Status: status, Paging: new PageRequest(PageNumber, PageSize)),
            HttpContext.RequestAborted));
    }

    public Task<IActionResult> OnPostDeleteAsync() =>
        ActAsync(() => snapshots.DeleteAsync(Caller, Region, SnapshotId ?? "", Force, HttpContext.RequestAborted),
            $"Snapshot {SnapshotId} deleted.", () => Redirect(Link(1)), async () =>
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                await OnGetAsync();
                return Page();
            });
}
