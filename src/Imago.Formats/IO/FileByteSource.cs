using Microsoft.Win32.SafeHandles;

namespace Imago.Formats.IO;

/// <summary>A file opened read-only, read with positional I/O (no shared stream position).</summary>
public sealed class FileByteSource : ISparseByteSource
{
    private readonly bool _ownsHandle;

    public FileByteSource(SafeFileHandle handle, bool ownsHandle = true)
    {
        Handle = handle;
        _ownsHandle = ownsHandle;
        Length = RandomAccess.GetLength(handle);
    }

    public SafeFileHandle Handle { get; }

    public long Length { get; }

    public static FileByteSource Open(string path) =>
        new(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous));

    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (offset >= Length)
        {
            return ValueTask.FromResult(0);
        }

        return RandomAccess.ReadAsync(Handle, buffer, offset, cancellationToken);
    }

    public (bool IsData, long End)? FindRun(long offset) => PosixFile.FindRun(Handle, offset, Length);

    public void Dispose()
    {
        if (_ownsHandle)
        {
            Handle.Dispose();
        }
    }
}
