using Imago.Storage;
using Microsoft.Win32.SafeHandles;

namespace Imago.Bench.NbdHost;

/// <summary>
/// A raw file as an <see cref="IBlockDevice"/>, with positional I/O (pread/pwrite) so concurrent requests need
/// no lock: the same work qemu-nbd does for a raw file, which makes the two servers comparable.
/// </summary>
internal sealed class FileBlockDevice : IBlockDevice
{
    private const int ZeroChunk = 1024 * 1024;
    private static readonly ReadOnlyMemory<byte> Zeros = new byte[ZeroChunk];

    private readonly FileStream _file;
    private readonly SafeFileHandle _handle;

    public FileBlockDevice(string path, bool readOnly)
    {
        IsReadOnly = readOnly;
        _file = new FileStream(path, FileMode.Open, readOnly ? FileAccess.Read : FileAccess.ReadWrite,
            FileShare.ReadWrite, bufferSize: 0, FileOptions.Asynchronous | FileOptions.RandomAccess);
        _handle = _file.SafeFileHandle;
        Size = RandomAccess.GetLength(_handle);
    }

    public long Size { get; }

    public bool IsReadOnly { get; }

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var read = await RandomAccess.ReadAsync(_handle, buffer, offset, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"{_file.Name} ended at {offset}");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        RandomAccess.WriteAsync(_handle, data, offset, cancellationToken);

    public async ValueTask WriteZeroesAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        while (length > 0)
        {
            var chunk = (int)Math.Min(length, ZeroChunk);
            await RandomAccess.WriteAsync(_handle, Zeros[..chunk], offset, cancellationToken).ConfigureAwait(false);
            offset += chunk;
            length -= chunk;
        }
    }

    public ValueTask TrimAsync(long offset, long length, CancellationToken cancellationToken = default) =>
        WriteZeroesAsync(offset, length, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        // fsync has no async form; it runs on a pool thread so the connection's reader is not blocked.
        return new ValueTask(Task.Run(() => _file.Flush(flushToDisk: true), cancellationToken));
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
