using Imago.Formats.IO;
using Imago.Storage;

namespace Imago.Core.Exporting;

/// <summary>A store snapshot's bytes as positional reads, so a raw export streams straight into the bucket (no staging file).</summary>
internal sealed class BlockDeviceByteSource(IBlockDevice device) : IByteSource
{
    public long Length => device.Size;

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (offset >= device.Size)
        {
            return 0;
        }

        var length = (int)Math.Min(buffer.Length, device.Size - offset);
        await device.ReadAsync(offset, buffer[..length], cancellationToken).ConfigureAwait(false);
        return length;
    }

    // The device belongs to the caller, who disposes it asynchronously after the put.
    public void Dispose()
    {
    }
}
