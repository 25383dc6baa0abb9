using Imago.Formats.Checking;
using Imago.Formats.IO;

namespace Imago.Formats.Qcow2;

// STUB: owned by the qcow2 work; replaced by the real implementation.
internal static class Qcow2Checker
{
    public static ValueTask<CheckReport> CheckAsync(IByteSource source, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
