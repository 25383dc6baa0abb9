using System.Text;

namespace Imago.Api.Rpc;

/// <summary>
/// Parses <c>a=1&amp;b=x%20y</c> (a raw query string or an <c>application/x-www-form-urlencoded</c> body) into
/// decoded pairs in the order sent. <c>+</c> is a space, as the Go SDK encodes it; malformed escapes stay literal.
/// </summary>
public static class FormUrlEncoded
{
    public static List<KeyValuePair<string, string>> Parse(ReadOnlySpan<char> text)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (text.Length > 0 && text[0] == '?')
        {
            text = text[1..];
        }

        foreach (var range in text.Split('&'))
        {
            var part = text[range];
            if (part.IsEmpty)
            {
                continue;
            }

            var eq = part.IndexOf('=');
            var name = Decode(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Decode(part[(eq + 1)..]);
            pairs.Add(new(name, value));
        }

        return pairs;
    }

    public static List<KeyValuePair<string, string>> Parse(ReadOnlySpan<byte> utf8Body) => Parse(Encoding.UTF8.GetString(utf8Body).AsSpan());

    private static string Decode(ReadOnlySpan<char> text) => Uri.UnescapeDataString(text.ToString().Replace('+', ' '));
}
