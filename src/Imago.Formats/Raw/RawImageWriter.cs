namespace Imago.Formats.Raw;

// STUB: owned by the conversion/CLI work; replaced by the real implementation.
internal static class RawImageWriter
{
    public static ValueTask<IDiskImageWriter> CreateAsync(string path, long virtualSize, ImageCreateOptions options, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
