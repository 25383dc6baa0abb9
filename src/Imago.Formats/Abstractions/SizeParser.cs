using System.Globalization;

namespace Imago.Formats;

/// <summary>Parses sizes the way qemu-img accepts them: 512, 64k, 2M, 1.5G, 10T (binary multiples).</summary>
public static class SizeParser
{
    public static long Parse(string text)
    {
        if (!TryParse(text, out var size))
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption,
                $"invalid size '{new string([.. text.Select(c => char.IsControl(c) ? '?' : c)])}': use a number with an optional suffix k, M, G or T");
        }

        return size;
    }

    public static bool TryParse(string? text, out long size)
    {
        size = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        long multiplier = 1;
        var suffix = char.ToLowerInvariant(text[^1]);
        var shift = suffix switch { 'b' => 0, 'k' => 10, 'm' => 20, 'g' => 30, 't' => 40, 'p' => 50, 'e' => 60, _ => -1 };
        if (shift >= 0)
        {
            multiplier = 1L << shift;
            text = text[..^1];
        }

        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number < 0)
        {
            return false;
        }

        // Bound before multiplying: decimal multiplication throws OverflowException past ~7.9e28.
        if (number > long.MaxValue / multiplier)
        {
            return false;
        }

        var bytes = number * multiplier;
        if (bytes > long.MaxValue || bytes != decimal.Truncate(bytes))
        {
            return false;
        }

        size = (long)bytes;
        return true;
    }
}
