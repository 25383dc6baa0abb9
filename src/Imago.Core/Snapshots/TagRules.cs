using Imago.Core.Errors;
using Imago.Data.Entities;

namespace Imago.Core.Snapshots;

/// <summary>Tag.N.Key/Value on create actions: keys 1-128 characters, values up to 128, neither reserved nor a URL nor with control characters.</summary>
internal static class TagRules
{
    public static IReadOnlyList<KeyValuePair<string, string>> Check(IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            // Control characters, as in every other name: they break logs and terminals, and no tag needs them.
            if (key.Length > 128 || IsReserved(key) || HasUrl(key) || key.Any(char.IsControl))
            {
                throw new EcsException("InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.", 400);
            }

            if (value.Length > 128 || value.StartsWith("acs:", StringComparison.OrdinalIgnoreCase) || HasUrl(value) || value.Any(char.IsControl))
            {
                throw new EcsException("InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid.", 400);
            }

            if (!keys.Add(key))
            {
                throw new EcsException("Duplicate.TagKey", "The Tag.N.Key contain duplicate key.", 400);
            }
        }

        return tags;
    }

    public static IEnumerable<ResourceTagEntity> Rows(string resourceType, string resourceId, string regionId, IEnumerable<KeyValuePair<string, string>> tags) =>
        tags.Select(t => new ResourceTagEntity { ResourceType = resourceType, ResourceId = resourceId, RegionId = regionId, Key = t.Key, Value = t.Value });

    private static bool IsReserved(string key) =>
        key.StartsWith("acs:", StringComparison.OrdinalIgnoreCase) || key.StartsWith("aliyun", StringComparison.OrdinalIgnoreCase);

    private static bool HasUrl(string text) =>
        text.Contains("http://", StringComparison.OrdinalIgnoreCase) || text.Contains("https://", StringComparison.OrdinalIgnoreCase);
}
