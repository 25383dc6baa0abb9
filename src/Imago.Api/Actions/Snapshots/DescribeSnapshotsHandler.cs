using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
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
/// DescribeSnapshots: <c>Snapshots.Snapshot[]</c> with paging by PageNumber/PageSize, or by NextToken/MaxResults
/// when either of those is given (NextToken is opaque; empty on the last page).
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
        var tokenPaging = p.GetString("NextToken", 64) is not null || p.GetString("MaxResults", 32) is not null;
        var (pageNumber, pageSize) = tokenPaging ? (1, 10) : p.GetPaging(10, 100);
        var maxResults = p.GetInt("MaxResults", 1, 100) ?? 10;
        var offset = tokenPaging ? DecodeToken(p.GetString("NextToken", 64)) : (pageNumber - 1) * pageSize;
        var take = tokenPaging ? maxResults : pageSize;
        var (from, to) = CreationRange(p);
        var query = new SnapshotQuery(ids, p.GetString("DiskId", 64), p.GetString("InstanceId", 64), p.GetString("SnapshotName", 256),
            status, snapshotType, usage, sourceDiskType, p.GetTags(), p.GetBool("Encrypted"), from, to, offset, take);
        var (page, total) = await snapshots.ListAsync(request.Caller, regionId, query, cancellationToken).ConfigureAwait(false);
        var body = new JsonObject
        {
            ["RegionId"] = regionId,
            ["TotalCount"] = total,
            ["PageNumber"] = pageNumber,
            ["PageSize"] = take,
            ["NextToken"] = offset + page.Count < total ? EncodeToken(offset + page.Count) : "",
            ["Snapshots"] = EcsJson.Wrap("Snapshot", page.Select(SnapshotJson.Of)),
        };
        if (tokenPaging)
        {
            body["MaxResults"] = maxResults;
        }

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

    private static string EncodeToken(int offset) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes("o:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static int DecodeToken(string? token)
    {
        if (token is null)
        {
            return 0;
        }

        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("o:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) && offset <= 100_000_000)
            {
                return offset;
            }
        }
        catch (FormatException)
        {
        }

        throw EcsErrors.InvalidParameter("NextToken");
    }
}
