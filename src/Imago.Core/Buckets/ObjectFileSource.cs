using Imago.Formats.IO;
using Microsoft.Win32.SafeHandles;

namespace Imago.Core.Buckets;

/// <summary>
/// An object of the directory store as positional reads: the content after the header of an open file. The open
/// handle keeps reading the object as it was when opened, even if a put replaces it or it is deleted.
/// </summary>
internal sealed class ObjectFileSource(SafeFileHandle handle, long length) : ISparseByteSource
{
    public long Length => length;

    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset >= length)
        {
            return ValueTask.FromResult(0);
        }

        var count = (int)Math.Min(buffer.Length, length - offset);
        return RandomAccess.ReadAsync(handle, buffer[..count], ObjectHeader.Length + offset, cancellationToken);
    }

    /// <summary>Puts store all-zero blocks as holes (see DirectoryBucketStore), so a raw image's holes are found here.</summary>
    public (bool IsData, long End)? FindRun(long offset)
    {
        if (SparseFiles.FindRun(handle, ObjectHeader.Length + offset, ObjectHeader.Length + length) is not { } run)
        {
            return null;
        }

        return (run.IsData, run.End - ObjectHeader.Length);
    }

    public void Dispose() => handle.Dispose();
}
