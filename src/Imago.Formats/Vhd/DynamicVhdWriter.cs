using System.Buffers.Binary;
using Imago.Formats.IO;
using Microsoft.Win32.SafeHandles;

namespace Imago.Formats.Vhd;

/// <summary>
/// Writes a dynamic VHD in one pass, in the layout qemu uses: footer copy at 0, dynamic header at 512,
/// BAT at 1536 (exactly one entry per block, padded to a sector), then the data blocks in the order they
/// arrive, each behind an all-ones sector bitmap, then the footer. Blocks that are entirely zero are never
/// stored. Memory: one block buffer plus the BAT (4 bytes per block), which is written last.
/// </summary>
internal sealed class DynamicVhdWriter : IDiskImageWriter
{
    private readonly SafeFileHandle _file;
    private readonly VhdCreationPlan _plan;
    private readonly VhdFooter _footer;
    private readonly bool _flushToStableStorage;
    private readonly int _blockSize;
    private readonly byte[] _bitmap;
    private readonly uint[] _bat;
    private readonly byte[] _block;
    private long _nextBlockOffset;
    private long _openBlock = -1;
    private bool _openBlockHasData;
    private bool _blockBufferDirty;
    private long _writtenUpTo;
    private bool _completed;

    private DynamicVhdWriter(SafeFileHandle file, VhdCreationPlan plan)
    {
        _file = file;
        _plan = plan;
        VirtualSize = plan.VirtualSize;
        _footer = plan.CreateFooter();
        _flushToStableStorage = plan.FlushToStableStorage;
        _blockSize = plan.BlockSize;
        _bitmap = new byte[VhdDynamicHeader.BitmapSize(_blockSize)];
        _bitmap.AsSpan().Fill(0xFF);
        _bat = new uint[plan.BlockCount];
        _bat.AsSpan().Fill(VhdConstants.UnallocatedBlock);
        _block = GC.AllocateUninitializedArray<byte>(_blockSize);
        _blockBufferDirty = true;
        _nextBlockOffset = plan.FirstBlockOffset;
    }

    public ImageFormat Format => ImageFormat.Vhd;

    public long VirtualSize { get; }

    public int Granularity => _blockSize;

    public static DynamicVhdWriter Create(string path, VhdCreationPlan plan)
    {
        return OutputFile.CreateWriter(path, file =>
        {
            var writer = new DynamicVhdWriter(file, plan);
            writer.WriteHeaders();
            return writer;
        });
    }

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        WriterRange.Check(offset, data.Length, _writtenUpTo, VirtualSize, _completed);
        _writtenUpTo = offset + data.Length;
        while (!data.IsEmpty)
        {
            var block = offset / _blockSize;
            var inBlock = (int)(offset % _blockSize);
            var length = Math.Min(data.Length, _blockSize - inBlock);
            var chunk = data[..length];
            if (block != _openBlock)
            {
                await FlushOpenBlockAsync(cancellationToken).ConfigureAwait(false);
                _openBlock = block;
            }

            if (length == _blockSize)
            {
                // A whole block in one piece: store it straight from the caller's memory (nothing if all zero).
                await StoreBlockAsync(block, chunk, cancellationToken).ConfigureAwait(false);
                _openBlock = -1;
            }
            else if (!ZeroDetector.IsAllZero(chunk.Span))
            {
                if (_blockBufferDirty && !_openBlockHasData)
                {
                    _block.AsSpan().Clear();
                    _blockBufferDirty = false;
                }

                chunk.Span.CopyTo(_block.AsSpan(inBlock));
                _openBlockHasData = true;
            }

            offset += length;
            data = data[length..];
        }
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            return;
        }

        await FlushOpenBlockAsync(cancellationToken).ConfigureAwait(false);

        var bat = new byte[_plan.BatBytes];
        bat.AsSpan().Fill(0xFF);
        for (var i = 0; i < _bat.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bat.AsSpan(i * 4), _bat[i]);
        }

        await RandomAccess.WriteAsync(_file, bat, VhdCreationPlan.BatOffset, cancellationToken).ConfigureAwait(false);

        await VhdFileEnd.WriteFooterAsync(_file, _footer, _nextBlockOffset, _flushToStableStorage, cancellationToken).ConfigureAwait(false);
        _completed = true;
    }

    public ValueTask DisposeAsync()
    {
        _file.Dispose();
        return ValueTask.CompletedTask;
    }

    private void WriteHeaders()
    {
        // Footer copy and dynamic header never change, so they are written now; the BAT and the footer at the end come last.
        var start = new byte[VhdConstants.FooterSize + VhdConstants.DynamicHeaderSize];
        _footer.WriteTo(start);
        new VhdDynamicHeader
        {
            TableOffset = VhdCreationPlan.BatOffset,
            MaxTableEntries = (uint)_bat.Length,
            BlockSize = (uint)_blockSize,
        }.WriteTo(start.AsSpan((int)VhdCreationPlan.DynamicHeaderOffset));
        RandomAccess.Write(_file, start, 0);
    }

    private async ValueTask FlushOpenBlockAsync(CancellationToken cancellationToken)
    {
        if (_openBlock >= 0 && _openBlockHasData)
        {
            await StoreBlockAsync(_openBlock, _block, cancellationToken).ConfigureAwait(false);
            _blockBufferDirty = true;
        }

        _openBlock = -1;
        _openBlockHasData = false;
    }

    /// <summary>
    /// Appends a block: its all-ones bitmap, then its non-zero 4 KiB runs. Zero runs inside the block are not
    /// written, so they stay holes (they read as zeros, like qemu's partly written blocks). A block that is
    /// all zero is not allocated at all.
    /// </summary>
    private async ValueTask StoreBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var bitmapOffset = _nextBlockOffset;
        var dataOffset = bitmapOffset + _bitmap.Length;
        var bitmapWritten = false;
        var position = 0;
        while (NonZeroRuns.Next(data.Span, dataOffset, NonZeroRuns.FileSystemBlock, position, out var start, out var end))
        {
            if (!bitmapWritten && start == 0)
            {
                await RandomAccess.WriteAsync(_file, [_bitmap, data[..end]], bitmapOffset, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (!bitmapWritten)
                {
                    await RandomAccess.WriteAsync(_file, _bitmap, bitmapOffset, cancellationToken).ConfigureAwait(false);
                }

                await RandomAccess.WriteAsync(_file, data[start..end], dataOffset + start, cancellationToken).ConfigureAwait(false);
            }

            bitmapWritten = true;
            position = end;
        }

        if (bitmapWritten)
        {
            _bat[block] = checked((uint)(bitmapOffset / VhdConstants.SectorSize));
            _nextBlockOffset = dataOffset + _blockSize;
        }
    }
}
