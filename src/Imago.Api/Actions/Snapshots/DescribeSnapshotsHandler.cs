using Imago.Core.Common;
using System.Text.Json.Nodes;
using Imago.Api.Actions.Compute;
using Imago.Api.Actions.Images;
using Imago.Api.Actions.Tasks;
using Imago.Api.Rpc;
using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Core.Regions;
using Imago.Core.Snapshots;
using Imago.Data.Entities;

namespace Imago.Api.Actions.Snapshots;

/// <summary>
/// DescribeSnapshots: <c>Snapshots.Snapshot[]</c>, paged as the other Describe* actions (PageNumber/PageSize, or
/// NextToken/MaxResults when either is given).
/// </summary>
public sealed class DescribeSnapshotsHandler(SnapshotQueries snapshots, RegionCatalog regions) : IEcsActionHandler
{
    public string Action => "DescribeSnapshots";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var regionId = regions.Require(request.RegionId).RegionId;
        var ids = ReadSnapshotIds(p);
        var status = p.GetString("Status", 64) is { } s
            ? SnapshotStatusFilter(s)
            : null;
        var usage = p.GetString("Usage", 64) is { } u
            ? (u is SnapshotUsages.Image or SnapshotUsages.Disk or SnapshotUsages.ImageDisk or SnapshotUsages.None ? u : throw new EcsException("InvalidUsage", "The specifed Usage is not valid", 404))
            : null;
        var snapshotType = p.GetEnum("SnapshotType", "auto", "user", "all") is { } t && t != "all" ? t : null;
        var sourceDiskType = p.GetEnum("SourceDiskType", "system", "data");
        var (from, to) = CreationRange(p);
        var query = new SnapshotQuery(ids, p.GetString("DiskId", 64), p.GetString("InstanceId", 64), p.GetString("SnapshotName", 256),
            status, snapshotType, usage, sourceDiskType, p.GetTags(), p.GetBool("Encrypted"), from, to, PagingParameters.Read(p, 100, 100));
        var page = await snapshots.ListAsync(request.Caller, regionId, query, cancellationToken).ConfigureAwait(false);
        var body = PagingParameters.Response(page, "Snapshots", "Snapshot", SnapshotJson.Of);
        body["RegionId"] = regionId;
        return body;
    }

    private static IReadOnlyList<string>? ReadSnapshotIds(RpcParameters p)
    {
        try
        {
            // An empty array filters nothing, as an absent parameter.
            return p.GetJsonArray("SnapshotIds") is { Count: > 0 } ids ? ids : null;
        }
        catch (EcsException)
        {
            throw new EcsException("InvalidSnapshotIds.Malformed", "The specified SnapshotIds is wrongly formed.", 403);
        }
    }

    /// <summary>Filter.N: CreationStartTime / CreationEndTime (<c>yyyy-MM-ddTHH:mmZ</c>); other keys InvalidFilterKey.NotFound.</summary>
    private static (DateTime? From, DateTime? To) CreationRange(RpcParameters p)
    {
        DateTime? from = null;
        DateTime? to = null;
        foreach (var (key, value) in ImageParameters.Filters(p))
        {
            switch (key)
            {
                case "CreationStartTime":
                    from = RequestTimes.Parse(value, "Filter.N.Value");
                    break;
                case "CreationEndTime":
                    to = RequestTimes.Parse(value, "Filter.N.Value");
                    break;
                default:
                    throw ImageErrors.FilterKeyNotFound();
            }
        }

        return (from, to);
    }

    /// <summary>progressing|accomplished|failed, or all (no filter).</summary>
    private static string? SnapshotStatusFilter(string value) => value switch
    {
        SnapshotStatuses.Progressing or SnapshotStatuses.Accomplished or SnapshotStatuses.Failed => value,
        "all" => null,
        _ => throw new EcsException("InvalidStatus.NotFound", "The specified Status is not found.", 404),
    };
}
