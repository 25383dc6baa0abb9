using Imago.Formats.IO;

namespace Imago.Formats.Inspection;

/// <summary>
/// The small capture regions every detector looks at (the head and the last sector of the file), plus bounded
/// reads of further regions that a detector asks for once it has parsed a header. Nothing here ever reads the
/// whole file: memory held is the sum of the declared regions, each capped.
/// </summary>
internal sealed class InspectionContext
{
    /// <summary>Bytes captured from the start: enough for every header and for the ISO volume descriptors at 32 KiB.</summary>
    public const int HeadSize = 64 * 1024;

    /// <summary>The largest single region a detector may ask for (a 2 MiB qcow2 header cluster).</summary>
    public const int MaxRegionSize = 2 * 1024 * 1024;

    public const int SectorSize = 512;

    private InspectionContext(IByteSource source, byte[] head, byte[] tail)
    {
        Source = source;
        Length = source.Length;
        Head = head;
        Tail = tail;
    }

    public IByteSource Source { get; }

    public long Length { get; }

    /// <summary>The first <see cref="HeadSize"/> bytes (fewer when the file is shorter).</summary>
    public ReadOnlyMemory<byte> Head { get; }

    /// <summary>The last 512 bytes, or empty when the file is shorter than one sector.</summary>
    public ReadOnlyMemory<byte> Tail { get; }

    public static async ValueTask<InspectionContext> CaptureAsync(IByteSource source, CancellationToken cancellationToken)
    {
        var length = source.Length;
        if (length < 0)
        {
            throw new ImageFormatException(ImageErrorKind.Corrupt, "the image source reports a negative length");
        }

        var head = new byte[(int)Math.Min(length, HeadSize)];
        var got = await source.ReadAtMostAsync(0, head, cancellationToken).ConfigureAwait(false);
        if (got != head.Length)
        {
            throw new ImageFormatException(ImageErrorKind.Truncated, "the image file ended before its declared length");
        }

        var tail = Array.Empty<byte>();
        if (length >= SectorSize)
        {
            tail = new byte[SectorSize];
            if (length <= head.Length)
            {
                head.AsSpan(head.Length - SectorSize).CopyTo(tail);
            }
            else
            {
                got = await source.ReadAtMostAsync(length - SectorSize, tail, cancellationToken).ConfigureAwait(false);
                if (got != SectorSize)
                {
                    throw new ImageFormatException(ImageErrorKind.Truncated, "the image file ended before its declared length");
                }
            }
        }

        return new InspectionContext(source, head, tail);
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="offset"/>, which the caller has already bounded
    /// against the file; serves from the head capture when it can.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadRegionAsync(long offset, int length, ImageFormat format, string what,
        CancellationToken cancellationToken)
    {
        if (length < 0 || length > MaxRegionSize)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"{format.DisplayName()} image declares a {what} larger than the inspector's limit", format);
        }

        if (offset < 0 || offset > Length || length > Length - offset)
        {
            throw ImageFormatException.Truncated(format, what);
        }

        if (offset + length <= Head.Length)
        {
            return Head.Slice((int)offset, length);
        }

        var buffer = new byte[length];
        await Source.ReadExactlyAsync(offset, buffer, format, what, cancellationToken).ConfigureAwait(false);
        return buffer;
    }
}
