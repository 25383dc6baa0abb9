using Imago.Formats.IO;
using Microsoft.Win32.SafeHandles;

namespace Imago.Formats.Vhd;

/// <summary>
/// Writes a fixed VHD: the virtual disk as is, then the footer. The file is sized up front and only
/// non-zero data is written, so zero ranges stay holes in the (sparse) file.
/// </summary>
internal sealed class FixedVhdWriter : IDiskImageWriter
{
    private readonly SafeFileHandle _file;
    private readonly VhdFooter _footer;
    private readonly bool _flushToStableStorage;
    private long _writtenUpTo;
    private bool _completed;

    private FixedVhdWriter(SafeFileHandle file, VhdCreationPlan plan)
    {
        _file = file;
        VirtualSize = plan.VirtualSize;
        _footer = plan.CreateFooter();
        _flushToStableStorage = plan.FlushToStableStorage;
    }

    public ImageFormat Format => ImageFormat.Vhd;

    public long VirtualSize { get; }

    public int Granularity => 64 * 1024;

    public static FixedVhdWriter Create(string path, VhdCreationPlan plan)
    {
        return OutputFile.CreateWriter(path, file =>
        {
            RandomAccess.SetLength(file, plan.FileSize(storedBlocks: 0));
            return new FixedVhdWriter(file, plan);
        });
    }

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        WriterRange.Check(offset, data.Length, _writtenUpTo, VirtualSize, _completed);
        _writtenUpTo = offset + data.Length;

        // Write each run of non-zero 4 KiB units with one call; zero units stay holes.
        var position = 0;
        while (NonZeroRuns.Next(data.Span, offset, NonZeroRuns.FileSystemBlock, position, out var start, out var end))
        {
            await RandomAccess.WriteAsync(_file, data[start..end], offset + start, cancellationToken).ConfigureAwait(false);
            position = end;
        }
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            return;
        }

        await VhdFileEnd.WriteFooterAsync(_file, _footer, VirtualSize, _flushToStableStorage, cancellationToken).ConfigureAwait(false);
        _completed = true;
    }

    public ValueTask DisposeAsync()
    {
        _file.Dispose();
        return ValueTask.CompletedTask;
    }
}
