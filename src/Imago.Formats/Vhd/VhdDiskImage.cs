using Imago.Formats.IO;

namespace Imago.Formats.Vhd;

// STUB: owned by the VHD work; replaced by the real implementation.
internal static class VhdDiskImage
{
    public static ValueTask<IDiskImage> OpenAsync(IByteSource source, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
