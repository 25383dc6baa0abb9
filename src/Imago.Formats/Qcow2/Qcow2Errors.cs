namespace Imago.Formats.Qcow2;

/// <summary>Turns anything unexpected raised while parsing hostile bytes into the engine's one exception type.</summary>
internal static class Qcow2Errors
{
    /// <summary>
    /// True for exceptions that must not leave the qcow2 code as they are: everything except our own
    /// exception, cancellation and real I/O errors. Argument checks on the caller's input happen before
    /// the guarded blocks, so an ArgumentException caught here came from hostile bytes.
    /// </summary>
    public static bool IsUnexpected(Exception e) =>
        e is not (ImageFormatException or OperationCanceledException or IOException);

    public static ImageFormatException Wrap(Exception e) =>
        new(ImageErrorKind.Corrupt, $"qcow2 image is corrupt: {e.Message}", ImageFormat.Qcow2, e);
}
