using System.Globalization;
using System.Text;

namespace Imago.Formats.Guest.Lvm;

/// <summary>
/// LVM2's text metadata (lvm.conf syntax, as in <c>vgcfgbackup</c> files): <c>name { ... }</c> sections, and
/// <c>key = value</c> where a value is a quoted string, an integer or a <c>[ ... ]</c> list of them. Parsed into
/// nested sections, bounded in depth and size; anything malformed is a <see cref="GuestDataException"/>.
/// </summary>
internal sealed class LvmConfig
{
    private const int MaxDepth = 16;
    private const int MaxTokens = 200_000;

    private readonly Dictionary<string, object> _values = new(StringComparer.Ordinal);

    public IEnumerable<KeyValuePair<string, LvmConfig>> Sections =>
        _values.Where(v => v.Value is LvmConfig).Select(v => KeyValuePair.Create(v.Key, (LvmConfig)v.Value));

    public LvmConfig? Section(string name) => _values.GetValueOrDefault(name) as LvmConfig;

    public long? Number(string name) => _values.GetValueOrDefault(name) as long?;

    public string? Text(string name) => _values.GetValueOrDefault(name) as string;

    public IReadOnlyList<object>? List(string name) => _values.GetValueOrDefault(name) as List<object>;

    public static LvmConfig Parse(string text)
    {
        var tokens = Tokenize(text);
        var position = 0;
        var root = ParseSection(tokens, ref position, depth: 0);
        if (position != tokens.Count)
        {
            throw new GuestDataException("LVM metadata has an unmatched '}'");
        }

        return root;
    }

    private static LvmConfig ParseSection(List<string> tokens, ref int position, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new GuestDataException("LVM metadata is nested too deeply");
        }

        var section = new LvmConfig();
        while (position < tokens.Count && tokens[position] != "}")
        {
            var name = tokens[position++];
            var next = position < tokens.Count ? tokens[position++] : throw new GuestDataException("LVM metadata ends inside an entry");
            if (next == "{")
            {
                section._values[name] = ParseSection(tokens, ref position, depth + 1);
                position = position < tokens.Count ? position + 1 : throw new GuestDataException("LVM metadata ends inside a section");
            }
            else if (next == "=")
            {
                section._values[name] = ParseValue(tokens, ref position);
            }
            else
            {
                throw new GuestDataException("LVM metadata has an entry without '=' or '{'");
            }
        }

        return section;
    }

    private static object ParseValue(List<string> tokens, ref int position)
    {
        var token = position < tokens.Count ? tokens[position++] : throw new GuestDataException("LVM metadata ends before a value");
        if (token != "[")
        {
            return Scalar(token);
        }

        var list = new List<object>();
        while (position < tokens.Count && tokens[position] != "]")
        {
            var item = tokens[position++];
            if (item != ",")
            {
                list.Add(Scalar(item));
            }
        }

        position = position < tokens.Count ? position + 1 : throw new GuestDataException("LVM metadata ends inside a list");
        return list;
    }

    /// <summary>A quoted string (tokenized with its leading quote) or an integer; other bare words are kept as text.</summary>
    private static object Scalar(string token) =>
        token.StartsWith('"') ? token[1..]
        : long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number
        : token;

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (tokens.Count > MaxTokens)
            {
                throw new GuestDataException("LVM metadata has too many tokens");
            }

            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is '{' or '}' or '[' or ']' or '=' or ',')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (c == '"')
            {
                var value = new StringBuilder("\"");
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }

                i++; // the closing quote (or the end)
                tokens.Add(value.ToString());
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or '[' or ']' or '=' or ',' or '"' or '#'))
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
        }

        return tokens;
    }
}
