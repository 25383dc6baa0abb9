namespace Imago.Formats.IO;

/// <summary>
/// Random-access bytes of an image container (a file, a buffer, later an object in a bucket).
/// Parsers read through this so that tests and fuzzers can feed them memory.
/// Implementations are safe for concurrent reads.
/// </summary>
public interface IByteSource : IDisposable
{
    long Length { get; }

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>; returns 0 at or past the end.</summary>
    ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);
}

public static class ByteSourceExtensions
{
    /// <summary>
    /// Reads exactly <c>buffer.Length</c> bytes or throws <see cref="ImageFormatException"/>
    /// (<see cref="ImageErrorKind.Truncated"/>) naming <paramref name="what"/>.
    /// </summary>
    public static async ValueTask ReadExactlyAsync(this IByteSource source, long offset, Memory<byte> buffer,
        ImageFormat format, string what, CancellationToken cancellationToken = default)
    {
        if (offset < 0 || offset > source.Length || buffer.Length > source.Length - offset)
        {
            throw ImageFormatException.Truncated(format, what);
        }

        var done = 0;
        while (done < buffer.Length)
        {
            var n = await source.ReadAsync(offset + done, buffer[done..], cancellationToken).ConfigureAwait(false);
            if (n <= 0)
            {
                throw ImageFormatException.Truncated(format, what);
            }

            done += n;
        }
    }

    /// <summary>Reads as many bytes as exist up to <c>buffer.Length</c>; returns the count (short only at the end).</summary>
    public static async ValueTask<int> ReadAtMostAsync(this IByteSource source, long offset, Memory<byte> buffer,
        CancellationToken cancellationToken = default)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = await source.ReadAsync(offset + done, buffer[done..], cancellationToken).ConfigureAwait(false);
            if (n <= 0)
            {
                break;
            }

            done += n;
        }

        return done;
    }
}
