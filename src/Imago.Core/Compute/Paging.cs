using System.Globalization;
using Imago.Core.Errors;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Compute;

/// <summary>
/// Paging as the Describe* actions take it: PageNumber/PageSize, or NextToken/MaxResults (used when either is
/// given). A NextToken is the position of the next item; it is empty on the last page.
/// </summary>
public sealed record PageRequest(int? PageNumber = null, int? PageSize = null, string? NextToken = null, int? MaxResults = null);

/// <summary>One page of results.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int TotalCount, int PageNumber, int PageSize, string NextToken);

internal static class Paging
{
    /// <summary>Applies <paramref name="request"/> to an ordered query.</summary>
    public static async Task<Page<T>> ApplyAsync<T>(IQueryable<T> ordered, PageRequest request, int defaultSize, CancellationToken cancellationToken)
    {
        int skip;
        int take;
        if (request.NextToken is not null || request.MaxResults is not null)
        {
            take = request.MaxResults ?? defaultSize;
            skip = request.NextToken is null ? 0 : ParseToken(request.NextToken);
        }
        else
        {
            take = request.PageSize ?? defaultSize;
            skip = (int)Math.Min(((long)(request.PageNumber ?? 1) - 1) * take, int.MaxValue);
        }

        var total = await ordered.CountAsync(cancellationToken).ConfigureAwait(false);
        var items = skip >= total ? [] : await ordered.Skip(skip).Take(take).ToListAsync(cancellationToken).ConfigureAwait(false);
        var next = skip + items.Count < total ? (skip + items.Count).ToString(CultureInfo.InvariantCulture) : "";
        return new Page<T>(items, total, skip / take + 1, take, next);
    }

    private static int ParseToken(string token) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position >= 0
            ? position
            : throw EcsErrors.InvalidParameter("NextToken");

    /// <summary>A LIKE pattern for a name filter: <c>*</c> matches anything, everything else literally.</summary>
    public static string LikePattern(string filter) =>
        filter.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal).Replace('*', '%');
}
