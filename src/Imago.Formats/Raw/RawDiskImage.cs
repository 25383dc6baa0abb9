using Imago.Formats.IO;

namespace Imago.Formats.Raw;

// STUB: owned by the conversion/CLI work; replaced by the real implementation.
internal static class RawDiskImage
{
    public static ValueTask<IDiskImage> OpenAsync(IByteSource source, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
