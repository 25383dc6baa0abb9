using Imago.Formats.IO;
using Microsoft.Win32.SafeHandles;

namespace Imago.Formats.Raw;

/// <summary>
/// Writes a sparse raw image: only 4 KiB units holding non-zero bytes are written, everything else
/// stays a hole (qemu-img convert's default -S 4k). The length is set and the file fsynced on completion.
/// </summary>
internal sealed class RawImageWriter : IDiskImageWriter
{
    /// <summary>qemu-img convert's default sparse size (-S 4k), also the usual file system block.</summary>
    public const int SparseUnit = NonZeroRuns.FileSystemBlock;

    /// <summary>How much written data may pile up before writeback is started for it.</summary>
    private const long WritebackInterval = 32L << 20;

    private readonly SafeFileHandle _handle;
    private long _nextOffset;
    private long _writebackStart;
    private bool _completed;

    private readonly bool _flushToStableStorage;

    private RawImageWriter(SafeFileHandle handle, long virtualSize, bool flushToStableStorage)
    {
        _handle = handle;
        VirtualSize = virtualSize;
        _flushToStableStorage = flushToStableStorage;
    }

    public ImageFormat Format => ImageFormat.Raw;

    public long VirtualSize { get; }

    public int Granularity => SparseUnit;

    public static ValueTask<IDiskImageWriter> CreateAsync(string path, long virtualSize, ImageCreateOptions options,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Compress)
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption, "compression is only supported for qcow2 output");
        }

        // Size the file first (a hole, no blocks), as qemu-img does: writes inside i_size are cheaper for the
        // file system than writes that extend the file one by one.
        return ValueTask.FromResult<IDiskImageWriter>(OutputFile.CreateWriter(path, handle =>
        {
            RandomAccess.SetLength(handle, virtualSize);
            return new RawImageWriter(handle, virtualSize, options.FlushToStableStorage);
        }));
    }

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        WriterRange.Check(offset, data.Length, _nextOffset, VirtualSize, _completed);

        _nextOffset = offset + data.Length;

        // Each run of non-zero units (aligned to absolute offsets) goes to the file in one write.
        var position = 0;
        while (NonZeroRuns.Next(data.Span, offset, SparseUnit, position, out var start, out var end))
        {
            await RandomAccess.WriteAsync(_handle, data[start..end], offset + start, cancellationToken).ConfigureAwait(false);
            position = end;
        }

        if (_flushToStableStorage && _nextOffset - _writebackStart >= WritebackInterval)
        {
            PosixFile.StartWriteback(_handle, _writebackStart, _nextOffset - _writebackStart);
            _writebackStart = _nextOffset;
        }
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        RandomAccess.SetLength(_handle, VirtualSize);
        if (_flushToStableStorage)
        {
            PosixFile.Flush(_handle);
        }

        _completed = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _handle.Dispose();
        return ValueTask.CompletedTask;
    }
}
