using System.Globalization;
using System.Text.Json;
using Imago.Core.Errors;

namespace Imago.Api.Rpc;

/// <summary>
/// The request's API parameters (query and form body merged, protocol parameters such as Signature removed),
/// with typed readers that throw the documented ECS errors. An empty value counts as absent, as on ECS.
/// Names are matched exactly (ECS parameter names are case-sensitive), except that the deprecated lower-case
/// <c>Tag.N.key</c>/<c>Tag.N.value</c> are accepted by <see cref="GetTags"/>.
/// </summary>
public sealed class RpcParameters(IReadOnlyDictionary<string, string> values)
{
    public IReadOnlyDictionary<string, string> Values { get; } = values;

    public string? GetString(string name, int maxLength = 1024)
    {
        if (!Values.TryGetValue(name, out var value) || value.Length == 0)
        {
            return null;
        }

        return value.Length > maxLength ? throw EcsErrors.InvalidParameter(name, $"It is longer than {maxLength} characters.") : value;
    }

    public string Require(string name, int maxLength = 1024) => GetString(name, maxLength) ?? throw EcsErrors.MissingParameter(name);

    public int? GetInt(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = GetString(name, 32);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw EcsErrors.InvalidParameter(name, $"It must be an integer from {min} to {max}.");
        }

        return value;
    }

    public long? GetLong(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        var text = GetString(name, 32);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw EcsErrors.InvalidParameter(name, $"It must be an integer from {min} to {max}.");
        }

        return value;
    }

    /// <summary><c>true</c>/<c>false</c> in any case.</summary>
    public bool? GetBool(string name)
    {
        var text = GetString(name, 8);
        return text is null ? null
            : text.Equals("true", StringComparison.OrdinalIgnoreCase) ? true
            : text.Equals("false", StringComparison.OrdinalIgnoreCase) ? false
            : throw EcsErrors.InvalidParameter(name, "It must be true or false.");
    }

    /// <summary>One of <paramref name="allowed"/> (compared ignoring case, returned in the allowed spelling).</summary>
    public string? GetEnum(string name, params string[] allowed)
    {
        var text = GetString(name, 64);
        if (text is null)
        {
            return null;
        }

        foreach (var candidate in allowed)
        {
            if (candidate.Equals(text, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        throw EcsErrors.InvalidParameter(name, $"Valid values: {string.Join(", ", allowed)}.");
    }

    /// <summary>A repeat list <c>Name.1</c>, <c>Name.2</c>, ... (in index order; at most <paramref name="max"/>).</summary>
    public IReadOnlyList<string> GetList(string name, int max)
    {
        var items = new SortedDictionary<int, string>();
        var prefix = name + ".";
        foreach (var (key, value) in Values)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && TryIndex(key.AsSpan(prefix.Length), out var index) && value.Length > 0)
            {
                if (index > max)
                {
                    throw EcsErrors.InvalidParameter(key, $"At most {max} values are allowed.");
                }

                items[index] = value;
            }
        }

        return [.. items.Values];
    }

    /// <summary>
    /// A list of structs <c>Name.N.Field</c> as one dictionary of fields per index (in index order; indexes above
    /// <paramref name="max"/> are refused). Nested struct fields keep their dotted tail (<c>Name.N.A.B</c> → <c>A.B</c>).
    /// </summary>
    public IReadOnlyList<(int Index, IReadOnlyDictionary<string, string> Fields)> GetStructList(string name, int max)
    {
        var items = new SortedDictionary<int, Dictionary<string, string>>();
        var prefix = name + ".";
        foreach (var (key, value) in Values)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = key.AsSpan(prefix.Length);
            var dot = rest.IndexOf('.');
            if (dot <= 0 || !TryIndex(rest[..dot], out var index))
            {
                continue;
            }

            if (index > max)
            {
                throw EcsErrors.InvalidParameter(key, $"At most {max} items are allowed.");
            }

            if (!items.TryGetValue(index, out var fields))
            {
                items[index] = fields = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            fields[rest[(dot + 1)..].ToString()] = value;
        }

        return [.. items.Select(p => (p.Key, (IReadOnlyDictionary<string, string>)p.Value))];
    }

    /// <summary><c>Tag.N.Key</c>/<c>Tag.N.Value</c> (or the deprecated lower-case fields), at most <paramref name="max"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> GetTags(string name = "Tag", int max = 20)
    {
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var (index, fields) in GetStructList(name, max))
        {
            var key = fields.GetValueOrDefault("Key") ?? fields.GetValueOrDefault("key");
            var value = fields.GetValueOrDefault("Value") ?? fields.GetValueOrDefault("value") ?? "";
            if (string.IsNullOrEmpty(key))
            {
                if (value.Length > 0)
                {
                    throw EcsErrors.MissingParameter($"{name}.{index}.Key");
                }

                continue;
            }

            tags.Add(new(key, value));
        }

        return tags;
    }

    /// <summary>A parameter holding a JSON array of strings, e.g. <c>InstanceIds=["i-1","i-2"]</c>.</summary>
    public IReadOnlyList<string>? GetJsonArray(string name, int max = 100)
    {
        var text = GetString(name, 64 * 1024);
        if (text is null)
        {
            return null;
        }

        try
        {
            var items = JsonSerializer.Deserialize<string[]>(text) ?? throw EcsErrors.InvalidParameter(name, "It must be a JSON array of strings.");
            return items.Length > max
                ? throw EcsErrors.InvalidParameter(name, $"At most {max} values are allowed.")
                : items.Where(s => !string.IsNullOrEmpty(s)).ToArray();
        }
        catch (JsonException)
        {
            throw EcsErrors.InvalidParameter(name, "It must be a JSON array of strings.");
        }
    }

    /// <summary>A comma-separated list (DescribeImages Status, DescribeTasks TaskIds).</summary>
    public IReadOnlyList<string>? GetCommaList(string name, int max = 100)
    {
        var text = GetString(name, 64 * 1024);
        if (text is null)
        {
            return null;
        }

        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return items.Length > max ? throw EcsErrors.InvalidParameter(name, $"At most {max} values are allowed.") : items;
    }

    /// <summary>PageNumber (default 1) and PageSize (default <paramref name="defaultSize"/>, 1..<paramref name="maxSize"/>).</summary>
    public (int PageNumber, int PageSize) GetPaging(int defaultSize = 10, int maxSize = 100) =>
        (GetInt("PageNumber", 1, 1_000_000) ?? 1, GetInt("PageSize", 1, maxSize) ?? defaultSize);

    private static bool TryIndex(ReadOnlySpan<char> text, out int index) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out index) && index >= 1;
}
