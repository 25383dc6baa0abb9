using System.Security.Cryptography;
using Imago.Core.Buckets;
using static Imago.Core.Tests.Buckets.BucketStoreHarness;

namespace Imago.Core.Tests.Buckets;

/// <summary>
/// Puts in parts (what exports use): the object is the content, byte for byte, stored sparse; its ETag is the
/// multipart one computed here independently from the content; whatever goes wrong, the old object stays.
/// </summary>
public sealed class PartedPutTests
{
    private const int Block = 64 << 10;

    /// <summary>OSS's multipart ETag of <paramref name="content"/> cut into parts of <paramref name="partSize"/>, computed from the bytes alone.</summary>
    internal static string MultipartETag(byte[] content, long partSize)
    {
        var parts = content.Length == 0 ? [MD5.HashData(content)] : new List<byte[]>();
        for (long offset = 0; offset < content.Length; offset += partSize)
        {
            parts.Add(MD5.HashData(content.AsSpan((int)offset, (int)Math.Min(partSize, content.Length - offset))));
        }

        return parts.Count == 1
            ? Convert.ToHexString(parts[0])
            : $"{Convert.ToHexString(MD5.HashData(parts.SelectMany(p => p).ToArray()))}-{parts.Count}";
    }

    private const int Part = (int)ObjectParts.MinPartSize;

    /// <summary>
    /// Four parts, the last an eighth of one: data at the start, across the first part boundary, and in the last
    /// part; the third part is all zeros.
    /// </summary>
    private static byte[] Content()
    {
        var content = new byte[(3 * Part) + (Part / 8)];
        RandomBytes(3 * Block, 1).CopyTo(content, 0);
        RandomBytes(Block + 100, 2).CopyTo(content, Part - 50);
        RandomBytes(777, 3).CopyTo(content, content.Length - 777);
        return content;
    }

    [Fact]
    public async Task The_object_is_the_content_with_the_multipart_ETag_and_its_zeros_are_holes()
    {
        using var harness = await CreateAsync();
        var content = Content();
        var reports = new List<long>();

        var info = await harness.Store.PutPartsAsync(Region, Bucket, "m-1_system.raw", new ArrayContent(content), new SyncProgress(reports),
            CancellationToken.None);

        Assert.Equal(MultipartETag(content, ObjectParts.MinPartSize), info.ETag);
        Assert.EndsWith("-4", info.ETag, StringComparison.Ordinal);
        Assert.Null(info.Sha256);
        Assert.Equal(content.Length, info.Size);
        Assert.Equal(content, await harness.GetAsync("m-1_system.raw"));
        Assert.Equal(info, await harness.Store.StatObjectAsync(Region, Bucket, "m-1_system.raw", CancellationToken.None));
        var file = Directory.EnumerateFiles(Path.Combine(harness.BucketDirectory, "objects"), "*", SearchOption.AllDirectories).Single();
        Assert.True(AllocatedBytes(file) <= 12 * Block, $"{AllocatedBytes(file)} bytes allocated for 6 data blocks and the header");
        Assert.Equal(content.Length, reports[^1]);
        Assert.Equal(reports.Order(), reports); // several workers, never decreasing

        harness.Reopen(); // as another process sees it
        Assert.Equal(info, await harness.Store.StatObjectAsync(Region, Bucket, "m-1_system.raw", CancellationToken.None));
    }

    [Fact]
    public async Task What_the_content_says_of_its_zeros_changes_neither_the_ETag_nor_the_bytes()
    {
        using var harness = await CreateAsync();
        var content = Content();

        var told = await harness.Store.PutPartsAsync(Region, Bucket, "told", new ArrayContent(content), null, CancellationToken.None);
        var untold = await harness.Store.PutPartsAsync(Region, Bucket, "untold", new ArrayContent(content, knowsZeros: false), null,
            CancellationToken.None);

        Assert.Equal(told.ETag, untold.ETag);
        Assert.Equal(content, await harness.GetAsync("untold"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(Part)]
    public async Task An_object_of_one_part_has_the_ETag_of_a_simple_upload(int length)
    {
        using var harness = await CreateAsync();
        var content = RandomBytes(length, length);

        var parted = await harness.Store.PutPartsAsync(Region, Bucket, "parted", new ArrayContent(content), null, CancellationToken.None);
        var simple = await harness.PutAsync("simple", content);

        Assert.Equal(simple.ETag, parted.ETag);
        Assert.Equal(Convert.ToHexString(MD5.HashData(content)), parted.ETag);
        Assert.Equal(content, await harness.GetAsync("parted"));
    }

    [Fact]
    public async Task A_content_that_fails_in_its_last_part_leaves_the_old_object_and_no_temp_file()
    {
        using var harness = await CreateAsync();
        var old = RandomBytes(4096, 9);
        await harness.PutAsync("disk.raw", old);

        var error = await Assert.ThrowsAsync<IOException>(() => harness.Store.PutPartsAsync(Region, Bucket, "disk.raw",
            new ArrayContent(Content(), failAt: (3 * Part) + (Part / 8) - 777), null, CancellationToken.None));

        Assert.Equal("the disk went away", error.Message);
        Assert.Equal(old, await harness.GetAsync("disk.raw"));
        Assert.Empty(harness.TemporaryFiles());
    }

    [Fact]
    public async Task A_cancelled_put_leaves_the_old_object_and_no_temp_file()
    {
        using var harness = await CreateAsync();
        var old = RandomBytes(4096, 10);
        await harness.PutAsync("disk.raw", old);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            harness.Store.PutPartsAsync(Region, Bucket, "disk.raw", new ArrayContent(Content()), null, cancelled.Token));

        Assert.Equal(old, await harness.GetAsync("disk.raw"));
        Assert.Empty(harness.TemporaryFiles());
    }

    [Fact]
    public async Task Parts_larger_than_a_buffer_of_an_object_over_10_000_MiB_hash_their_zero_buffers_too()
    {
        // 10 GiB: parts grow past 1 MiB (at most 10,000), so a part holds zero buffers beside its data.
        using var harness = await CreateAsync();
        const long length = 10L << 30;
        var partSize = ObjectParts.PartSize(length);
        Assert.True(partSize > ObjectParts.MinPartSize);
        var data = new SortedDictionary<long, byte[]> { [5] = RandomBytes(3000, 11), [(7L << 30) + (1 << 20) + 17] = RandomBytes(2 * Block, 12) };
        var content = new SparseContent(length, data);

        var info = await harness.Store.PutPartsAsync(Region, Bucket, "big.raw", content, null, CancellationToken.None);

        // Computed from the parts' bytes, a part without data as that many zeros.
        var zeroPart = MD5.HashData(new byte[partSize]);
        var parts = new List<byte[]>();
        for (long offset = 0; offset < length; offset += partSize)
        {
            var size = (int)Math.Min(partSize, length - offset);
            var bytes = new byte[size];
            content.CopyInto(offset, bytes);
            parts.Add(size == partSize && !bytes.AsSpan().ContainsAnyExcept((byte)0) ? zeroPart : MD5.HashData(bytes));
        }

        Assert.Equal($"{Convert.ToHexString(MD5.HashData(parts.SelectMany(p => p).ToArray()))}-{parts.Count}", info.ETag);
        using var source = await harness.Store.OpenByteSourceAsync(Region, Bucket, "big.raw", CancellationToken.None);
        foreach (var (offset, bytes) in data)
        {
            var read = new byte[bytes.Length];
            Assert.Equal(bytes.Length, await source.ReadAsync(offset, read));
            Assert.Equal(bytes, read);
        }
    }

    /// <summary>Zeros except a few runs; says which ranges are zeros, as a snapshot's map does.</summary>
    private sealed class SparseContent(long length, SortedDictionary<long, byte[]> runs) : IObjectContent
    {
        public long Length => length;

        public void CopyInto(long offset, Span<byte> buffer)
        {
            buffer.Clear();
            foreach (var (start, bytes) in runs)
            {
                var from = Math.Max(start, offset);
                var to = Math.Min(start + bytes.Length, offset + buffer.Length);
                if (from < to)
                {
                    bytes.AsSpan((int)(from - start), (int)(to - from)).CopyTo(buffer[(int)(from - offset)..]);
                }
            }
        }

        public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            CopyInto(offset, buffer.Span);
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> IsZeroAsync(long offset, long count, CancellationToken cancellationToken) =>
            ValueTask.FromResult(!runs.Any(r => r.Key < offset + count && r.Key + r.Value.Length > offset));
    }

    [Fact]
    public async Task A_missing_bucket_is_BucketNotFound()
    {
        using var harness = await CreateAsync();

        var error = await Assert.ThrowsAsync<BucketException>(() =>
            harness.Store.PutPartsAsync(Region, "no-such-bucket", "disk.raw", new ArrayContent([1, 2, 3]), null, CancellationToken.None));

        Assert.Equal("InvalidOSSBucket.NotFound", error.Code);
    }

    [Theory]
    [InlineData(0L, 1L << 20, 1)]
    [InlineData(1L << 20, 1L << 20, 1)]
    [InlineData((1L << 20) + 1, 1L << 20, 2)]
    [InlineData(4L << 30, 1L << 20, 4096)]
    [InlineData(5L << 40, 549_781_504, 10_000)] // 5 TiB: ceil(5 TiB / 10,000) rounded up to 64 KiB
    public void Parts_are_1_MiB_or_larger_and_at_most_10000(long size, long partSize, int count)
    {
        Assert.Equal(partSize, ObjectParts.PartSize(size));
        Assert.Equal(count, ObjectParts.Count(size));
        Assert.Equal(0, ObjectParts.PartSize(size) % Block);
    }

    /// <summary>Content from an array; tells its zero ranges (or, with knowsZeros false, never does); fails reading at failAt.</summary>
    private sealed class ArrayContent(byte[] content, bool knowsZeros = true, long failAt = -1) : IObjectContent
    {
        public long Length => content.Length;

        public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (failAt >= offset && failAt < offset + buffer.Length)
            {
                throw new IOException("the disk went away");
            }

            content.AsMemory((int)offset, buffer.Length).CopyTo(buffer);
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> IsZeroAsync(long offset, long length, CancellationToken cancellationToken) =>
            ValueTask.FromResult(knowsZeros && !content.AsSpan((int)offset, (int)length).ContainsAnyExcept((byte)0));
    }
}
