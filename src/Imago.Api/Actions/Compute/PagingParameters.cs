using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Compute;

namespace Imago.Api.Actions.Compute;

/// <summary>PageNumber/PageSize or NextToken/MaxResults, and the paging fields of a Describe* response.</summary>
internal static class PagingParameters
{
    public static PageRequest Read(RpcParameters p, int maxPageSize, int maxResults) => new(
        p.GetInt("PageNumber", 1, 1_000_000),
        p.GetInt("PageSize", 1, maxPageSize),
        p.GetString("NextToken", 256),
        p.GetInt("MaxResults", 1, maxResults));

    public static JsonObject Response<T>(Page<T> page, string collection, string item, Func<T, JsonNode?> shape) => new()
    {
        ["TotalCount"] = page.TotalCount,
        ["PageNumber"] = page.PageNumber,
        ["PageSize"] = page.PageSize,
        ["NextToken"] = page.NextToken,
        [collection] = EcsJson.Wrap(item, page.Items.Select(shape)),
    };
}
