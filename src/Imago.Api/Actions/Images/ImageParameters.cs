using Imago.Api.Rpc;
using Imago.Core.Errors;
using Imago.Core.Images;

namespace Imago.Api.Actions.Images;

/// <summary>The image actions' repeat-list parameters, with DescribeImages' documented tag errors.</summary>
internal static class ImageParameters
{
    private const int MaxTags = 20;

    /// <summary>
    /// Tag.N.Key/Value (or the deprecated lower-case fields) through <see cref="RpcParameters.GetTags"/>, with
    /// DescribeImages' documented codes: InvalidTagCount for N above 20, InvalidTag.Mismatch for a value without key.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Tags(RpcParameters parameters)
    {
        var items = parameters.GetStructList("Tag", int.MaxValue);
        if (items.Count > MaxTags || items.Any(i => i.Index > MaxTags))
        {
            throw ImageErrors.TagCount();
        }

        try
        {
            return parameters.GetTags("Tag", MaxTags);
        }
        catch (EcsException e) when (e.Code == "MissingParameter")
        {
            throw ImageErrors.TagMismatch();
        }
    }

    /// <summary>Filter.N.Key/Value pairs (N 1-100).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Filters(RpcParameters parameters) =>
        [.. parameters.GetStructList("Filter", 100)
            .Select(f => (Key: Field(f.Fields, "Key"), Value: Field(f.Fields, "Value") ?? ""))
            .Where(f => f.Key is not null)
            .Select(f => new KeyValuePair<string, string>(f.Key!, f.Value))];

    private static string? Field(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && value.Length > 0 ? (value.Length <= 256 ? value : throw EcsErrors.InvalidParameter(name)) : null;
}
