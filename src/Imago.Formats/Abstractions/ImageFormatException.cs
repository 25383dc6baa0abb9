namespace Imago.Formats;

/// <summary>Why a disk image was refused or could not be processed.</summary>
public enum ImageErrorKind
{
    /// <summary>A recognised format the service does not accept (VMDK, VHDX, ...): convert first.</summary>
    UnsupportedFormat,
    /// <summary>A feature that would make a reader act on attacker-controlled metadata (backing file, data file, ...).</summary>
    Unsafe,
    /// <summary>The structure is inconsistent: bad checksum, an offset out of bounds, overlapping metadata.</summary>
    Corrupt,
    /// <summary>The file ends before a structure it declares.</summary>
    Truncated,
    /// <summary>The content matches more than one format (one header hidden in another).</summary>
    Ambiguous,
    /// <summary>The caller declared one format and the content is another.</summary>
    FormatMismatch,
    /// <summary>A size exceeds what the format or the engine supports.</summary>
    TooLarge,
    /// <summary>A creation or conversion option is invalid.</summary>
    InvalidOption,
}

/// <summary>
/// The one exception the format engine throws for bad input. Its message is a single readable line
/// meant for the user (the CLI prints it as is; the API maps <see cref="Kind"/> to an error code).
/// </summary>
public sealed class ImageFormatException : Exception
{
    public ImageFormatException(ImageErrorKind kind, string message, ImageFormat? format = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Format = format;
    }

    public ImageErrorKind Kind { get; }

    /// <summary>The format the content was recognised as, when known.</summary>
    public ImageFormat? Format { get; }

    public static ImageFormatException Corrupt(ImageFormat format, string message) =>
        new(ImageErrorKind.Corrupt, $"{format.DisplayName()} image is corrupt: {message}", format);

    public static ImageFormatException Truncated(ImageFormat format, string what) =>
        new(ImageErrorKind.Truncated, $"{format.DisplayName()} image is truncated: {what} lies past the end of the file", format);

    public static ImageFormatException Unsafe(ImageFormat format, string message) =>
        new(ImageErrorKind.Unsafe, $"{format.DisplayName()} image refused as unsafe: {message}", format);

    public static ImageFormatException Unsupported(ImageFormat format, string? detail = null) =>
        new(ImageErrorKind.UnsupportedFormat,
            $"{format.DisplayName()} images are not supported{(detail is null ? "" : $" ({detail})")}; convert the image to raw, qcow2 or VHD first (for example: qemu-img convert -O qcow2 SRC DST)",
            format);
}
