using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Compute;

/// <summary>Tags of instances and disks (RunInstances Tag.N goes on the instance and on each of its disks).</summary>
internal static class ComputeTags
{
    public const string Instance = "instance";
    public const string Disk = "disk";

    public static void Add(ImagoDbContext db, string resourceType, string resourceId, string regionId, IEnumerable<KeyValuePair<string, string>> tags) =>
        db.Tags.AddRange(Snapshots.TagRules.Rows(resourceType, resourceId, regionId, tags));

    /// <summary>Deletes the tags of resources being deleted, in the same unit of work.</summary>
    public static async Task RemoveAsync(ImagoDbContext db, string resourceType, IReadOnlyCollection<string> resourceIds, CancellationToken cancellationToken) =>
        db.Tags.RemoveRange(await db.Tags.Where(t => t.ResourceType == resourceType && resourceIds.Contains(t.ResourceId))
            .ToListAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>The tags of a page of resources, by resource id, each list ordered by key.</summary>
    public static async Task<Dictionary<string, IReadOnlyList<KeyValuePair<string, string>>>> LoadAsync(ImagoDbContext db, string resourceType,
        IReadOnlyCollection<string> resourceIds, CancellationToken cancellationToken)
    {
        var rows = await db.Tags.AsNoTracking().Where(t => t.ResourceType == resourceType && resourceIds.Contains(t.ResourceId))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.GroupBy(t => t.ResourceId).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<KeyValuePair<string, string>>)[.. g.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new KeyValuePair<string, string>(t.Key, t.Value))]);
    }
}
