using Imago.Core.Buckets;
using Imago.Storage;

namespace Imago.Core.Exporting;

/// <summary>
/// A store snapshot's bytes as an object's content, for a raw export put in parts: reads may run concurrently (the
/// device allows it), and the chunks the snapshot never stored are the ranges that read as zeros.
/// </summary>
internal sealed class BlockDeviceObjectContent(IBlockDevice device) : IObjectContent
{
    public long Length => device.Size;

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        device.ReadAsync(offset, buffer, cancellationToken);

    public async ValueTask<bool> IsZeroAsync(long offset, long length, CancellationToken cancellationToken)
    {
        var (run, zero) = await device.GetRunAsync(offset, length, cancellationToken).ConfigureAwait(false);
        return zero && run >= length;
    }
}
