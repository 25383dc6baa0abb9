using Imago.Core.Regions;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Compute;

/// <summary>DescribeInstances filters (null: no filter).</summary>
public sealed record InstanceFilter
{
    public required string RegionId { get; init; }

    public IReadOnlyList<string>? InstanceIds { get; init; }

    public string? ImageId { get; init; }

    public string? Status { get; init; }

    public string? ZoneId { get; init; }

    public string? InstanceType { get; init; }

    /// <summary>Exact, or with <c>*</c> as a wildcard.</summary>
    public string? InstanceName { get; init; }

    /// <summary>Tag.N: instances carrying every one (an empty value matches any value of the key).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];
}

/// <summary>An instance with its type's shape (null when the type left the catalog) and its tags.</summary>
public sealed record InstanceDetails(InstanceEntity Instance, InstanceTypeInfo? Type, IReadOnlyList<KeyValuePair<string, string>> Tags);

/// <summary>DescribeInstances: the caller's instances in a region, oldest first.</summary>
public sealed class InstanceQueries(ImagoDatabase database, RegionCatalog regions, InstanceTypeCatalog instanceTypes)
{
    public const int DefaultPageSize = 10;

    public async Task<Page<InstanceDetails>> DescribeAsync(Caller caller, InstanceFilter filter, PageRequest paging, CancellationToken cancellationToken)
    {
        regions.Require(filter.RegionId);
        await using var db = database.CreateContext();
        var query = db.Instances.AsNoTracking().Where(i => i.AccountId == caller.AccountId && i.RegionId == filter.RegionId);
        if (filter.InstanceIds is { } ids)
        {
            query = query.Where(i => ids.Contains(i.Id));
        }

        if (filter.ImageId is { } imageId)
        {
            query = query.Where(i => i.ImageId == imageId);
        }

        if (filter.Status is { } status)
        {
            query = query.Where(i => i.Status == status);
        }

        if (filter.ZoneId is { } zoneId)
        {
            query = query.Where(i => i.ZoneId == zoneId);
        }

        if (filter.InstanceType is { } type)
        {
            query = query.Where(i => i.InstanceType == type);
        }

        if (filter.InstanceName is { } name)
        {
            var pattern = Paging.LikePattern(name);
            query = query.Where(i => EF.Functions.Like(i.Name, pattern, "\\"));
        }

        foreach (var (key, value) in filter.Tags)
        {
            query = value.Length == 0
                ? query.Where(i => db.Tags.Any(t => t.ResourceType == ComputeTags.Instance && t.ResourceId == i.Id && t.Key == key))
                : query.Where(i => db.Tags.Any(t => t.ResourceType == ComputeTags.Instance && t.ResourceId == i.Id && t.Key == key && t.Value == value));
        }

        var page = await Paging.ApplyAsync(query.OrderBy(i => i.CreatedAt).ThenBy(i => i.Id), paging, DefaultPageSize, cancellationToken)
            .ConfigureAwait(false);
        var tags = await ComputeTags.LoadAsync(db, ComputeTags.Instance, [.. page.Items.Select(i => i.Id)], cancellationToken).ConfigureAwait(false);
        return new Page<InstanceDetails>(
            [.. page.Items.Select(i => new InstanceDetails(i, instanceTypes.Find(i.InstanceType), tags.GetValueOrDefault(i.Id) ?? []))],
            page.TotalCount, page.PageNumber, page.PageSize, page.NextToken);
    }
}
