using System.Text;

namespace Imago.Api.Signatures;

/// <summary>
/// RFC 3986 percent-encoding as both ECS signatures use it (ecs-api.md 7.2): UTF-8, unreserved characters
/// <c>A-Z a-z 0-9 - _ . ~</c> kept, everything else <c>%XY</c> with upper-case hex (space is <c>%20</c>, <c>*</c> is <c>%2A</c>).
/// </summary>
public static class PercentEncoding
{
    private const string Hex = "0123456789ABCDEF";

    public static string Encode(string value)
    {
        if (value.All(IsUnreserved))
        {
            return value;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b < 0x80 && IsUnreserved((char)b))
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
            }
        }

        return text.ToString();
    }

    private static bool IsUnreserved(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~';
}
