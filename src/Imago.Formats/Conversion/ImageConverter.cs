using System.Buffers;
using System.Threading.Channels;
using Imago.Formats.IO;

namespace Imago.Formats.Conversion;

/// <summary>
/// Copies a virtual disk from any reader to any writer, the way qemu-img convert does:
/// unallocated and zero extents are skipped without reading, the rest is read in granularity-aligned
/// chunks by several reads in flight, and all-zero units are never written. Memory is a fixed set of
/// pooled buffers whatever the disk size.
/// </summary>
public static class ImageConverter
{
    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> and completes the target.</summary>
    public static async Task ConvertAsync(IDiskImage source, IDiskImageWriter target,
        IProgress<ConvertProgress>? progress = null, ConvertOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        options ??= ConvertOptions.Default;
        if (target.VirtualSize < source.VirtualSize)
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption,
                $"the target ({target.VirtualSize} bytes) is smaller than the source ({source.VirtualSize} bytes)");
        }

        var granularity = target.Granularity > 0 ? target.Granularity : throw new ArgumentException("writer granularity must be positive");
        var chunkSize = Math.Max(granularity, options.ChunkSize / granularity * granularity);
        var readAhead = Math.Max(1, options.ReadAhead);
        var total = source.VirtualSize;
        progress?.Report(new ConvertProgress(0, total));

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var buffers = Channel.CreateBounded<byte[]>(readAhead);
        var rented = new List<byte[]>(readAhead);
        for (var i = 0; i < readAhead; i++)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
            rented.Add(buffer);
            buffers.Writer.TryWrite(buffer);
        }

        var reads = Channel.CreateUnbounded<Task<Chunk>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var planner = new ReadPlanner(source, granularity, chunkSize);
        var producer = Task.Run(() => ProduceAsync(planner, source, buffers.Reader, reads.Writer, granularity, cts.Token), cts.Token);
        try
        {
            await foreach (var pending in reads.Reader.ReadAllAsync(cts.Token).ConfigureAwait(false))
            {
                var chunk = await pending.ConfigureAwait(false);
                foreach (var (start, length) in chunk.NonZeroRuns)
                {
                    await target.WriteAsync(chunk.Offset + start, chunk.Buffer.AsMemory(start, length), cts.Token).ConfigureAwait(false);
                }

                buffers.Writer.TryWrite(chunk.Buffer);
                progress?.Report(new ConvertProgress(chunk.Offset + chunk.Length, total));
            }

            await producer.ConfigureAwait(false);
            await target.CompleteAsync(cts.Token).ConfigureAwait(false);
            progress?.Report(new ConvertProgress(total, total));
        }
        finally
        {
            // On failure, stop the producer and let every read already started finish before the
            // buffers go back to the pool (a read must never land in a buffer someone else owns).
            await cts.CancelAsync().ConfigureAwait(false);
            await IgnoreFailure(producer).ConfigureAwait(false);
            while (reads.Reader.TryRead(out var leftover))
            {
                await IgnoreFailure(leftover).ConfigureAwait(false);
            }

            foreach (var buffer in rented)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Converts into a new file: writes <c>DST.tmp-XXXXXXXX</c> and renames it over <paramref name="destinationPath"/>
    /// only on success, so a failed or cancelled conversion leaves no partial destination behind.
    /// </summary>
    public static async Task ConvertToFileAsync(IDiskImage source, string destinationPath, ImageFormat format,
        ImageCreateOptions? createOptions = null, IProgress<ConvertProgress>? progress = null,
        ConvertOptions? options = null, CancellationToken cancellationToken = default)
    {
        var fullPath = Path.GetFullPath(destinationPath);
        var temporary = $"{fullPath}.tmp-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            var writer = await DiskImages.CreateAsync(temporary, format, source.VirtualSize, createOptions, cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                await ConvertAsync(source, writer, progress, options, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static async Task ProduceAsync(ReadPlanner planner, IDiskImage source, ChannelReader<byte[]> buffers,
        ChannelWriter<Task<Chunk>> reads, int granularity, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (offset, length) in planner.PlanAsync(cancellationToken).ConfigureAwait(false))
            {
                var buffer = await buffers.ReadAsync(cancellationToken).ConfigureAwait(false);
                var read = Task.Run(() => ReadChunkAsync(source, offset, length, buffer, granularity, cancellationToken), cancellationToken);
                if (!reads.TryWrite(read))
                {
                    await IgnoreFailure(read).ConfigureAwait(false);
                    break;
                }
            }

            reads.TryComplete();
        }
        catch (Exception ex)
        {
            reads.TryComplete(ex);
            throw;
        }
    }

    private static async Task<Chunk> ReadChunkAsync(IDiskImage source, long offset, int length, byte[] buffer,
        int granularity, CancellationToken cancellationToken)
    {
        await source.ReadAsync(offset, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);

        // Zero detection runs here, on the reading threads, so the single writer only writes.
        return new Chunk(offset, length, buffer, NonZeroRuns.FindAll(buffer.AsSpan(0, length), offset, granularity));
    }

    private static async Task IgnoreFailure(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch
        {
            // Already reported through the main path (or cancelled because of it).
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record Chunk(long Offset, int Length, byte[] Buffer, List<(int Start, int Length)> NonZeroRuns);
}
