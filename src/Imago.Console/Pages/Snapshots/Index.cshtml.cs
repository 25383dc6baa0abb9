using Imago.Core.Compute;
using Imago.Core.Snapshots;

namespace Imago.WebConsole.Pages.Snapshots;

/// <summary>The Snapshots list (DescribeSnapshots' SnapshotQueries): the account's snapshots in the region.</summary>
public sealed class IndexModel(SnapshotQueries queries) : ListPageModel
{
    public Page<SnapshotView>? Result { get; private set; }

    public static string Link(int page) => page > 1 ? $"/console/snapshots?page={page}" : "/console/snapshots";

    public async Task OnGetAsync()
    {
        Result = await ReadAsync(() => queries.ListAsync(Caller, Region, new SnapshotQuery(Paging: new PageRequest(PageNumber, PageSize)), HttpContext.RequestAborted));
    }
}
