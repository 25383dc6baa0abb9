using Imago.Core.Errors;

namespace Imago.Core.Snapshots;

/// <summary>
/// The naming rules ECS applies to snapshot names: 2-128 characters starting with a
/// letter (CJK included), then letters, digits, '.', '_', '-', ':'; never a URL.
/// </summary>
internal static class ResourceNames
{
    public static bool IsWellFormedName(string name) =>
        name.Length is >= 2 and <= 128
        && char.IsLetter(name[0])
        && !IsUrl(name)
        && name.All(c => char.IsLetterOrDigit(c) || c is '.' or '_' or '-' or ':');

    /// <summary>Snapshot names: the name rules, and never <c>auto...</c> (reserved for automatic snapshots).</summary>
    public static string? CheckSnapshotName(string? name) =>
        name is null || (IsWellFormedName(name) && !name.StartsWith("auto", StringComparison.OrdinalIgnoreCase))
            ? name
            : throw new EcsException("InvalidSnapshotName.Malformed", "The specified snapshot name is wrongly formed.", 400);

    /// <summary>Descriptions: the image description rules (2-256 characters, not a URL).</summary>
    public static string? CheckDescription(string? description) =>
        description is null ? null : Images.ImageNameRules.RequireValidDescription(description);

    private static bool IsUrl(string text) =>
        text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
