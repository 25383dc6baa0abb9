using Imago.Formats.IO;

namespace Imago.Formats.Inspection;

// STUB: owned by the inspection work; replaced by the real implementation.
public static class ImageInspector
{
    /// <summary>
    /// Detects the format by content (never by name), runs every safety check, and either returns what it
    /// found or throws <see cref="ImageFormatException"/>. When <paramref name="expected"/> is given, content
    /// of another format is refused with <see cref="ImageErrorKind.FormatMismatch"/>.
    /// </summary>
    public static ValueTask<InspectionResult> InspectAsync(IByteSource source, ImageFormat? expected = null,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new InspectionResult(ImageFormat.Raw, source.Length));
}
