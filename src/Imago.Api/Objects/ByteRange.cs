using System.Globalization;

namespace Imago.Api.Objects;

/// <summary>
/// One range of a <c>Range: bytes=...</c> header, as OSS reads it: <c>a-b</c>, <c>a-</c> or <c>-n</c> (the last n
/// bytes), the end clamped to the object. A header OSS would ignore (malformed, several ranges, another unit)
/// means the whole object; a range that starts at or past the end is InvalidRange (416).
/// </summary>
public readonly record struct ByteRange(long Start, long Length)
{
    public long End => Start + Length - 1;

    /// <summary>The range to send, or null for the whole object.</summary>
    public static ByteRange? Parse(string? header, long size)
    {
        if (string.IsNullOrWhiteSpace(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var spec = header["bytes=".Length..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (spec.Contains(',', StringComparison.Ordinal) || dash < 0)
        {
            return null;
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            // The last n bytes.
            if (!TryNumber(last, out var suffix) || suffix == 0)
            {
                return suffix == 0 && last.Length > 0 ? throw OssErrors.InvalidRange() : null;
            }

            var length = Math.Min(suffix, size);
            return length == 0 ? throw OssErrors.InvalidRange() : new ByteRange(size - length, length);
        }

        if (!TryNumber(first, out var start))
        {
            return null;
        }

        long end;
        if (last.Length == 0)
        {
            end = size - 1;
        }
        else if (!TryNumber(last, out end) || end < start)
        {
            return null;
        }

        if (start >= size)
        {
            throw OssErrors.InvalidRange();
        }

        end = Math.Min(end, size - 1);
        return new ByteRange(start, end - start + 1);
    }

    private static bool TryNumber(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
