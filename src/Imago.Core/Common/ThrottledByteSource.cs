using Imago.Formats.IO;

namespace Imago.Core.Common;

/// <summary>A byte source whose reads pass through the <see cref="TransferThrottle"/> (what an import reads from a bucket).</summary>
public sealed class ThrottledByteSource(IByteSource inner, TransferThrottle throttle) : IByteSource
{
    public long Length => inner.Length;

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
        await throttle.WaitAsync(read, cancellationToken).ConfigureAwait(false);
        return read;
    }

    public void Dispose() => inner.Dispose();
}
