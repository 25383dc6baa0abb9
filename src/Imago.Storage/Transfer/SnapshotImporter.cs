using System.Buffers;
using System.Runtime.CompilerServices;
using Imago.Formats;
using Imago.Formats.Conversion;
using Imago.Formats.IO;
using Imago.Storage.Chunks;
using Imago.Storage.Tree;

namespace Imago.Storage.Transfer;

/// <summary>
/// Streams a disk image into a block map: walks the image's extents (zero and unallocated ones are never
/// read), reads each chunk that holds data and hashes it on several cores at once, stores the chunks the
/// store lacks, and commits the map's pages. The caller flushes and writes the snapshot record last.
/// </summary>
internal sealed class SnapshotImporter(ChunkStore chunks, int fanout)
{
    public async Task<(ChunkHash Root, ImportResult Result)> ImportAsync(IDiskImage source, ChunkPins pins,
        IProgress<ConvertProgress>? progress, CancellationToken cancellationToken)
    {
        var chunkSize = chunks.ChunkSize;
        var size = source.VirtualSize;
        var map = new BlockMap(chunks, fanout, (size + chunkSize - 1) / chunkSize, ChunkHash.Zero);
        var mapLock = new SemaphoreSlim(1, 1);
        long dataChunks = 0;
        long newChunks = 0;
        long bytesRead = 0;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount, 2, 8),
            CancellationToken = cancellationToken,
        };

        await Parallel.ForEachAsync(DataBlocksAsync(source, chunkSize, cancellationToken), parallel, async (block, ct) =>
        {
            var offset = block * chunkSize;
            var length = (int)Math.Min(chunkSize, size - offset);
            var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
            try
            {
                var chunk = buffer.AsMemory(0, chunkSize);
                await source.ReadAsync(offset, chunk[..length], ct).ConfigureAwait(false);
                chunk.Span[length..].Clear(); // the last chunk of an odd-sized disk is zero-padded
                Interlocked.Add(ref bytesRead, length);
                if (!ZeroDetector.IsAllZero(chunk.Span))
                {
                    var hash = ChunkHash.Compute(chunk.Span);
                    if (await chunks.WriteAsync(hash, chunk, pins, ct).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref newChunks);
                    }

                    Interlocked.Increment(ref dataChunks);
                    await mapLock.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        await map.SetAsync(block, hash, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        mapLock.Release();
                    }
                }

                progress?.Report(new ConvertProgress(Math.Min(size, offset + length), size));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }).ConfigureAwait(false);

        var root = await map.CommitAsync(pins, cancellationToken).ConfigureAwait(false);
        progress?.Report(new ConvertProgress(size, size));
        return (root, new ImportResult(dataChunks, newChunks, bytesRead));
    }

    /// <summary>Indexes of the chunks that overlap an extent that is not known to read as zeros, ascending.</summary>
    private static async IAsyncEnumerable<long> DataBlocksAsync(IDiskImage source, int chunkSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var size = source.VirtualSize;
        var offset = 0L;
        var next = 0L; // first block not yet yielded
        while (offset < size)
        {
            var extent = await source.GetExtentAsync(offset, size - offset, cancellationToken).ConfigureAwait(false);
            if (extent.Offset != offset || extent.Length <= 0 || extent.Length > size - offset)
            {
                // A reader that returned an empty or misplaced extent would make this loop spin forever.
                throw ImageFormatException.Corrupt(source.Format, $"the allocation map is inconsistent at offset {offset}");
            }

            if (!extent.Zero)
            {
                for (var block = Math.Max(next, extent.Offset / chunkSize); block <= (extent.End - 1) / chunkSize; block++)
                {
                    yield return block;
                }

                next = (extent.End - 1) / chunkSize + 1;
            }

            offset = extent.End;
        }
    }
}
