namespace Imago.Formats.Qcow2;

// STUB: owned by the qcow2 work; replaced by the real implementation.
internal static class Qcow2ImageWriter
{
    public static ValueTask<IDiskImageWriter> CreateAsync(string path, long virtualSize, ImageCreateOptions options, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
