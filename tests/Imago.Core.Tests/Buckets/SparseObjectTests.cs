using System.Security.Cryptography;
using Imago.Core.Buckets;
using Imago.Formats;
using Imago.Formats.IO;
using static Imago.Core.Tests.Buckets.BucketStoreHarness;

namespace Imago.Core.Tests.Buckets;

/// <summary>Zero blocks of a put become holes: the object costs no space for them and a raw image over it skips them.</summary>
public sealed class SparseObjectTests
{
    private const int Block = 64 << 10;

    /// <summary>8 MiB: data in blocks 3 and 50-51, a partial block at the end, zeros elsewhere (also at the end).</summary>
    private static byte[] Content()
    {
        var content = new byte[(8 << 20) + 1000];
        RandomBytes(Block, 1).CopyTo(content, 3 * Block);
        RandomBytes(2 * Block, 2).CopyTo(content, 50 * Block);
        content[(8 << 20) + 10] = 7;
        return content;
    }

    /// <summary>A stream that hands out at most 4097 bytes per read, so block alignment cannot rely on the reader.</summary>
    private sealed class TricklingStream(byte[] content) : MemoryStream(content)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 4097)], cancellationToken);
    }

    [Fact]
    public async Task Zero_blocks_are_stored_as_holes_and_the_object_reads_back_whole()
    {
        using var harness = await CreateAsync();
        var content = Content();

        var put = await harness.Store.PutObjectAsync(Region, Bucket, "disk.raw", new TricklingStream(content), null, CancellationToken.None);

        Assert.Equal(content, await harness.GetAsync("disk.raw"));
        Assert.Equal(Convert.ToHexString(MD5.HashData(content)), put.ETag);
        Assert.Equal(content.Length, put.Size);
        var file = Directory.EnumerateFiles(Path.Combine(harness.BucketDirectory, "objects"), "*", SearchOption.AllDirectories).Single();
        Assert.True(AllocatedBytes(file) <= 5 * Block, $"{AllocatedBytes(file)} bytes allocated for 3 data blocks, a tail and the header");
    }

    [Fact]
    public async Task A_raw_image_over_the_object_reports_its_holes_as_zero_extents()
    {
        using var harness = await CreateAsync();
        var content = Content();
        await harness.PutAsync("disk.raw", content);

        using var source = await harness.Store.OpenByteSourceAsync(Region, Bucket, "disk.raw", CancellationToken.None);
        Assert.IsAssignableFrom<ISparseByteSource>(source);
        await using var image = await DiskImages.OpenAsync(source, ImageFormat.Raw);
        var extents = new List<DiskExtent>();
        for (long offset = 0; offset < image.VirtualSize;)
        {
            var extent = await image.GetExtentAsync(offset, image.VirtualSize - offset);
            extents.Add(extent);
            offset += extent.Length;
        }

        var data = extents.Where(e => e.Data).Select(e => (e.Offset, e.Length)).ToList();
        Assert.Contains((3L * Block, (long)Block), data);
        Assert.Contains((50L * Block, 2L * Block), data);
        Assert.Equal(0, extents.Where(e => e.Zero).Sum(e => e.Length) % Block);
        Assert.True(extents.Where(e => e.Zero).Sum(e => e.Length) >= content.Length - (5L * Block), "most of the disk is reported as zeros");
    }
}
