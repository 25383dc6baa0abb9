using Imago.Formats.IO;

namespace Imago.Formats.Raw;

/// <summary>
/// A raw disk: the file is the virtual disk. Holes in a sparse file are reported as zero extents
/// (SEEK_DATA/SEEK_HOLE) so that convert and map skip them without reading, as qemu-img does.
/// </summary>
internal sealed class RawDiskImage : IDiskImage
{
    private readonly IByteSource _source;

    private RawDiskImage(IByteSource source) => _source = source;

    public ImageFormat Format => ImageFormat.Raw;

    public long VirtualSize => _source.Length;

    public ImageDetails Details => ImageDetails.None;

    public static ValueTask<IDiskImage> OpenAsync(IByteSource source, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IDiskImage>(new RawDiskImage(source));
    }

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CheckRange(offset, buffer.Length);
        var read = await _source.ReadAtMostAsync(offset, buffer, cancellationToken).ConfigureAwait(false);

        // The file can only have shrunk under us; what is gone reads as zeros rather than stale bytes.
        buffer.Span[read..].Clear();
    }

    public ValueTask<DiskExtent> GetExtentAsync(long offset, long maxLength, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CheckRange(offset, 0);
        var end = offset + Math.Min(Math.Max(maxLength, 0), VirtualSize - offset);
        if (end <= offset)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), "the extent must be inside the virtual disk");
        }

        var run = _source is ISparseByteSource sparse ? sparse.FindRun(offset) : null;
        var isData = run?.IsData ?? true;
        var runEnd = Math.Min(run?.End ?? end, end);

        // Like qemu's file driver: a hole is present (the raw file defines it) and reads as zeros.
        return ValueTask.FromResult(new DiskExtent(offset, runEnd - offset, Present: true, Zero: !isData,
            Data: isData, HostOffset: offset));
    }

    public ValueTask DisposeAsync()
    {
        _source.Dispose();
        return ValueTask.CompletedTask;
    }

    private void CheckRange(long offset, int length)
    {
        if (offset < 0 || offset > VirtualSize || length > VirtualSize - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), "the read must be inside the virtual disk");
        }
    }
}
