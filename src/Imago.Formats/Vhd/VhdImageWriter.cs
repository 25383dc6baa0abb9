namespace Imago.Formats.Vhd;

// STUB: owned by the VHD work; replaced by the real implementation.
internal static class VhdImageWriter
{
    public static ValueTask<IDiskImageWriter> CreateAsync(string path, long virtualSize, ImageCreateOptions options, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
