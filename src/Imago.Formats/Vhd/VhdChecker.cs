using Imago.Formats.Checking;
using Imago.Formats.IO;

namespace Imago.Formats.Vhd;

// STUB: owned by the VHD work; replaced by the real implementation.
internal static class VhdChecker
{
    public static ValueTask<CheckReport> CheckAsync(IByteSource source, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
