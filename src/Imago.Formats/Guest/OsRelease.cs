using System.Text;

namespace Imago.Formats.Guest;

/// <summary>The fields of os-release(5) that identify a distribution.</summary>
public sealed record OsRelease(string Id, string VersionId, string Name, string PrettyName)
{
    /// <summary>os-release is a few hundred bytes; anything past this is not one.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// Parses KEY=VALUE lines: values unquoted, or in double quotes (with \\ \" \$ \` escapes) or single quotes;
    /// comments and malformed lines are skipped. Null when none of the four fields is present.
    /// </summary>
    public static OsRelease? Parse(ReadOnlySpan<byte> content)
    {
        if (content.Length > MaxBytes)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in Encoding.UTF8.GetString(content).Split('\n'))
        {
            var line = rawLine.Trim();
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] == '#' || equals <= 0)
            {
                continue;
            }

            fields[line[..equals]] = Unquote(line[(equals + 1)..]);
        }

        string Field(string key) => fields.TryGetValue(key, out var value) ? value : "";
        var release = new OsRelease(Field("ID").ToLowerInvariant(), Field("VERSION_ID"), Field("NAME"), Field("PRETTY_NAME"));
        return release is { Id: "", VersionId: "", Name: "", PrettyName: "" } ? null : release;
    }

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'')
        {
            return value[1..^1];
        }

        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            return value;
        }

        var inner = value.AsSpan(1, value.Length - 2);
        var text = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length && inner[i + 1] is '\\' or '"' or '$' or '`')
            {
                i++;
            }

            text.Append(inner[i]);
        }

        return text.ToString();
    }
}
