using Imago.Formats.IO;

namespace Imago.Formats.Qcow2;

// STUB: owned by the qcow2 work; replaced by the real implementation.
internal static class Qcow2DiskImage
{
    public static ValueTask<IDiskImage> OpenAsync(IByteSource source, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
