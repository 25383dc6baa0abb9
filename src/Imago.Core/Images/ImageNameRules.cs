namespace Imago.Core.Images;

/// <summary>
/// The documented rules for image names, families and descriptions (ecs-api.md section 2), shared by every action
/// that sets them (CreateImage, ModifyImageAttribute, CopyImage, ImportImage).
/// Name and family: 2-128 characters, starting with a letter (CJK letters included), made of letters, digits,
/// periods, colons, underscores and hyphens, without <c>http://</c>/<c>https://</c>, not starting with <c>acs:</c>
/// or <c>aliyun</c>. Description: 2-256 characters, not starting with <c>http://</c>/<c>https://</c>.
/// </summary>
public static class ImageNameRules
{
    public static bool IsValidName(string? name) => IsValidIdentifier(name);

    public static bool IsValidFamily(string? family) => IsValidIdentifier(family);

    public static bool IsValidDescription(string? description) =>
        description is { Length: >= 2 and <= 256 }
        && !description.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        && !description.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        && !description.Any(char.IsControl);

    /// <summary>The name, or InvalidImageName.Malformed.</summary>
    public static string RequireValidName(string name) => IsValidName(name) ? name : throw ImageErrors.NameMalformed();

    /// <summary>The family, or InvalidImageFamily.Malformed.</summary>
    public static string RequireValidFamily(string family) => IsValidFamily(family) ? family : throw ImageErrors.FamilyMalformed();

    /// <summary>The description, or InvalidDescription.Malformed.</summary>
    public static string RequireValidDescription(string description) =>
        IsValidDescription(description) ? description : throw ImageErrors.DescriptionMalformed();

    private static bool IsValidIdentifier(string? value) =>
        value is { Length: >= 2 and <= 128 }
        && char.IsLetter(value[0])
        && value.All(c => char.IsLetterOrDigit(c) || c is '.' or ':' or '_' or '-')
        && !value.Contains("http://", StringComparison.OrdinalIgnoreCase)
        && !value.Contains("https://", StringComparison.OrdinalIgnoreCase)
        && !value.StartsWith("acs:", StringComparison.OrdinalIgnoreCase)
        && !value.StartsWith("aliyun", StringComparison.OrdinalIgnoreCase);
}
