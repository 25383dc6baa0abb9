using Imago.Formats.IO;

namespace Imago.Formats.Vhd;

/// <summary>
/// Reads a fixed or dynamic VHD. Fixed: the virtual disk is the file minus its footer. Dynamic: a block
/// allocation table maps each block (2 MiB usually) to a sector bitmap followed by the block's data.
/// Like qemu, an allocated block is read whole and its sector bitmap is ignored (qemu never reads it; it
/// sets every bit when it allocates a block), so our bytes equal qemu-img convert's. The BAT is loaded and
/// validated once at open and never changes, so concurrent reads need no lock.
/// </summary>
internal sealed class VhdDiskImage : IDiskImage
{
    private readonly IByteSource _source;
    private readonly VhdLayout _layout;

    private VhdDiskImage(IByteSource source, VhdLayout layout)
    {
        _source = source;
        _layout = layout;
        Details = new ImageDetails(ClusterSize: layout.IsDynamic ? layout.BlockSize : null);
    }

    public ImageFormat Format => ImageFormat.Vhd;

    public long VirtualSize => _layout.VirtualSize;

    public ImageDetails Details { get; }

    public VhdFooter Footer => _layout.Footer;

    public bool IsDynamic => _layout.IsDynamic;

    /// <summary>Opens <paramref name="source"/> (which the image then owns) after validating every structure.</summary>
    public static async ValueTask<IDiskImage> OpenAsync(IByteSource source, CancellationToken cancellationToken) =>
        await OpenImageAsync(source, cancellationToken).ConfigureAwait(false);

    public static async ValueTask<VhdDiskImage> OpenImageAsync(IByteSource source, CancellationToken cancellationToken)
    {
        var layout = await VhdLayout.LoadAsync(source, cancellationToken).ConfigureAwait(false);
        return new VhdDiskImage(source, layout);
    }

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CheckRange(offset, buffer.Length);
        if (!_layout.IsDynamic)
        {
            await _source.ReadExactlyAsync(offset, buffer, ImageFormat.Vhd, "the fixed disk's data", cancellationToken)
                .ConfigureAwait(false);
            return;
        }

        var blockSize = _layout.BlockSize;
        while (!buffer.IsEmpty)
        {
            var block = offset / blockSize;
            var inBlock = (int)(offset % blockSize);
            var length = (int)Math.Min(buffer.Length, blockSize - inBlock);
            var host = _layout.BlockDataOffset(block);
            if (host < 0)
            {
                // Consecutive unallocated blocks are cleared in one go.
                var next = block + 1;
                while (length < buffer.Length && _layout.BlockDataOffset(next) < 0)
                {
                    length = (int)Math.Min(buffer.Length, (long)length + blockSize);
                    next++;
                }

                buffer.Span[..length].Clear();
            }
            else
            {
                await _source.ReadExactlyAsync(host + inBlock, buffer[..length], ImageFormat.Vhd, $"data block {block}",
                    cancellationToken).ConfigureAwait(false);
            }

            offset += length;
            buffer = buffer[length..];
        }
    }

    /// <summary>
    /// Extents as qemu-img map reports them for vpc: a fixed disk is all data at its own offset (zero where the
    /// host file has a hole); in a dynamic disk each allocated block is one data extent (blocks are never
    /// contiguous in the file because a bitmap separates them) and runs of unallocated blocks read as zero.
    /// </summary>
    public ValueTask<DiskExtent> GetExtentAsync(long offset, long maxLength, CancellationToken cancellationToken = default)
    {
        if (offset < 0 || offset >= VirtualSize || maxLength <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), "the extent must start inside the virtual disk");
        }

        maxLength = Math.Min(maxLength, VirtualSize - offset);
        if (!_layout.IsDynamic)
        {
            // Like qemu: all data at its own offset; holes in the host file read as zero.
            var isHole = false;
            if (_source is FileByteSource file && PosixFile.FindRun(file.Handle, offset, file.Length) is { } hostRun && hostRun.End > offset)
            {
                isHole = !hostRun.IsData;
                maxLength = Math.Min(maxLength, hostRun.End - offset);
            }

            return ValueTask.FromResult(new DiskExtent(offset, maxLength, Present: true, Zero: isHole, Data: true, HostOffset: offset));
        }

        var blockSize = _layout.BlockSize;
        var block = offset / blockSize;
        var toBlockEnd = blockSize - offset % blockSize;
        var host = _layout.BlockDataOffset(block);
        if (host >= 0)
        {
            var length = Math.Min(maxLength, toBlockEnd);
            return ValueTask.FromResult(new DiskExtent(offset, length, Present: true, Zero: false, Data: true,
                HostOffset: host + offset % blockSize));
        }

        var run = toBlockEnd;
        var next = block + 1;
        while (run < maxLength && _layout.BlockDataOffset(next) < 0)
        {
            run += blockSize;
            next++;
        }

        return ValueTask.FromResult(new DiskExtent(offset, Math.Min(run, maxLength), Present: true, Zero: true, Data: false));
    }

    public ValueTask DisposeAsync()
    {
        _source.Dispose();
        return ValueTask.CompletedTask;
    }

    private void CheckRange(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset > VirtualSize - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"read of {length} bytes at {offset} is outside the virtual disk ({VirtualSize} bytes)");
        }
    }
}
