using Imago.Formats.IO;
using Microsoft.Win32.SafeHandles;

namespace Imago.Core.Buckets;

/// <summary>
/// The bytes of an open local file from <paramref name="start"/> on, as an object's content: positional reads, and
/// the file system's holes (SEEK_HOLE) as ranges that read as zeros. The handle belongs to the caller.
/// </summary>
internal sealed class FileObjectContent(SafeFileHandle file, long start, long length) : IObjectContent
{
    public long Length => length;

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await RandomAccess.ReadAsync(file, buffer, start + offset, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"The file ended at {start + offset}, before the {length} bytes it was staged with.");
            }

            offset += read;
            buffer = buffer[read..];
        }
    }

    public ValueTask<bool> IsZeroAsync(long offset, long count, CancellationToken cancellationToken)
    {
        var run = SparseFiles.FindRun(file, start + offset, start + length);
        return ValueTask.FromResult(run is { IsData: false } hole && hole.End >= start + offset + count);
    }
}
