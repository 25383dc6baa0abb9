using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Imago.Core.Buckets;

/// <summary>
/// Hashes an object's content part by part (<see cref="ObjectParts"/>) on every core and, when given a target file,
/// writes its data there at <c>targetOffset + offset</c>, leaving holes for every all-zero 64 KiB block. A part known
/// to be zeros is neither read nor hashed (<see cref="ZeroPartDigests"/>). Memory stays bounded: one buffer per
/// worker, at most one worker per core.
/// </summary>
internal sealed class PartedContentWriter(IObjectContent content, SafeFileHandle? target, long targetOffset, ZeroPartDigests zeros,
    IProgress<long>? progress)
{
    private const int BufferSize = 1 << 20;
    private readonly Lock _progressGate = new();
    private long _done;

    /// <summary>The combined MD5 and the number of parts, once every part is hashed (and written).</summary>
    public async Task<(byte[] Md5, int Parts)> RunAsync(CancellationToken cancellationToken)
    {
        var length = content.Length;
        var partSize = ObjectParts.PartSize(length);
        var count = ObjectParts.Count(length);
        var digests = new byte[count][];
        progress?.Report(0);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, count), options, async (index, token) =>
        {
            var start = index * partSize;
            digests[index] = await PartAsync(start, Math.Min(partSize, length - start), token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return (ObjectParts.CombinedMd5(digests), count);
    }

    private async Task<byte[]> PartAsync(long start, long length, CancellationToken cancellationToken)
    {
        if (length > 0 && await content.IsZeroAsync(start, length, cancellationToken).ConfigureAwait(false))
        {
            Advance(length);
            return zeros.Md5(length);
        }

        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = new byte[(int)Math.Min(BufferSize, Math.Max(length, 1))];
        // A part of one buffer was just found to hold data; a larger part (objects over ~9.7 GiB) may have zero buffers.
        var checkEachBuffer = length > buffer.Length;
        for (var offset = start; offset < start + length;)
        {
            var count = (int)Math.Min(buffer.Length, start + length - offset);
            var slice = buffer.AsMemory(0, count);
            if (checkEachBuffer && await content.IsZeroAsync(offset, count, cancellationToken).ConfigureAwait(false))
            {
                slice.Span.Clear(); // hashed as zeros, never read nor written
            }
            else
            {
                await content.ReadAsync(offset, slice, cancellationToken).ConfigureAwait(false);
                if (target is not null)
                {
                    await WriteDataBlocksAsync(target, targetOffset + offset, slice, cancellationToken).ConfigureAwait(false);
                }
            }

            md5.AppendData(slice.Span);
            offset += count;
            Advance(count);
        }

        return md5.GetHashAndReset();
    }

    /// <summary>Writes the data blocks of <paramref name="data"/> at <paramref name="position"/>, consecutive ones in one write; zero blocks stay holes.</summary>
    private static async ValueTask WriteDataBlocksAsync(SafeFileHandle file, long position, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        for (var start = SparseBlocks.NextDataRun(data.Span, 0, out var end); start < data.Length; start = SparseBlocks.NextDataRun(data.Span, end, out end))
        {
            await RandomAccess.WriteAsync(file, data[start..end], position + start, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reports the bytes done so far; under a lock, so reports from several workers arrive in increasing order.</summary>
    private void Advance(long bytes)
    {
        if (progress is null)
        {
            return;
        }

        lock (_progressGate)
        {
            _done += bytes;
            progress.Report(_done);
        }
    }
}
