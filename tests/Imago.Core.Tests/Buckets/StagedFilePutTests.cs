using System.Security.Cryptography;
using Imago.Core.Buckets;
using static Imago.Core.Tests.Buckets.BucketStoreHarness;

namespace Imago.Core.Tests.Buckets;

/// <summary>
/// A staged file (an export's qcow2 or VHD) moved into the bucket as an object: the same object, metadata and
/// atomicity as a put of its bytes, whichever way the store takes it (moved in, or streamed where the file
/// system cannot make room for the header).
/// </summary>
public sealed class StagedFilePutTests
{
    private static string Stage(BucketStoreHarness harness, byte[] content)
    {
        var directory = Directory.CreateDirectory(Path.Combine(harness.DataDirectory, "exports", "t-test")).FullName;
        var path = Path.Combine(directory, $"disk-{Guid.NewGuid():N}.qcow2");
        File.WriteAllBytes(path, content);
        return path;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(4096)]
    [InlineData((3 << 20) + 12345)]
    public async Task The_staged_file_becomes_the_object_with_its_ETag_and_is_gone(int length)
    {
        using var harness = await CreateAsync();
        var content = RandomBytes(length, length);
        var staged = Stage(harness, content);
        var reports = new List<long>();

        var info = await harness.Store.PutStagedFileAsync(Region, Bucket, "out/disk.qcow2", staged, new SyncProgress(reports), CancellationToken.None);

        Assert.Equal(content, await harness.GetAsync("out/disk.qcow2"));
        // Up to one part, the ETag of a simple upload, then the multipart one; no SHA-256 is kept for objects stored in parts.
        Assert.Equal(new ObjectInfo("out/disk.qcow2", length, PartedPutTests.MultipartETag(content, ObjectParts.MinPartSize), null, info.LastModified),
            info);
        Assert.Equal(length <= ObjectParts.MinPartSize, info.ETag == Convert.ToHexString(MD5.HashData(content)));
        Assert.Equal(info, await harness.Store.StatObjectAsync(Region, Bucket, "out/disk.qcow2", CancellationToken.None));
        Assert.False(File.Exists(staged));
        Assert.Empty(harness.TemporaryFiles());
        Assert.Equal(length, reports[^1]);

        harness.Reopen(); // as another process sees it
        Assert.Equal(content, await harness.GetAsync("out/disk.qcow2"));
    }

    [Fact]
    public async Task A_staged_file_of_several_parts_gets_the_multipart_ETag_and_keeps_its_holes()
    {
        using var harness = await CreateAsync();
        var directory = Directory.CreateDirectory(Path.Combine(harness.DataDirectory, "exports", "t-big")).FullName;
        var staged = Path.Combine(directory, "disk.vhd");
        var length = (2 * ObjectParts.MinPartSize) + 12345; // three parts, the last short
        var first = RandomBytes(100_000, 7);
        var last = RandomBytes(5000, 8);
        using (var file = File.Create(staged))
        {
            file.SetLength(length);
            file.Position = 4096;
            file.Write(first);
            file.Position = length - last.Length;
            file.Write(last);
        }

        var info = await harness.Store.PutStagedFileAsync(Region, Bucket, "disk.vhd", staged, null, CancellationToken.None);

        var expected = new byte[length];
        first.CopyTo(expected, 4096);
        last.CopyTo(expected, length - last.Length);
        Assert.Equal(PartedPutTests.MultipartETag(expected, ObjectParts.MinPartSize), info.ETag);
        Assert.EndsWith("-3", info.ETag, StringComparison.Ordinal);
        Assert.Null(info.Sha256);
        Assert.Equal(expected, await harness.GetAsync("disk.vhd"));
        Assert.Equal(info, await harness.Store.StatObjectAsync(Region, Bucket, "disk.vhd", CancellationToken.None));
    }

    [Fact]
    public async Task It_replaces_an_existing_object_whole()
    {
        using var harness = await CreateAsync();
        await harness.PutAsync("disk.vhd", RandomBytes(2 << 20, 1));
        var content = RandomBytes((1 << 20) + 7, 2);

        await harness.Store.PutStagedFileAsync(Region, Bucket, "disk.vhd", Stage(harness, content), null, CancellationToken.None);

        Assert.Equal(content, await harness.GetAsync("disk.vhd"));
        var listed = await harness.Store.ListObjectsAsync(Region, Bucket, null, null, 10, CancellationToken.None);
        Assert.Equal(["disk.vhd"], listed.Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task A_cancelled_put_leaves_the_old_object_and_no_temp_file()
    {
        using var harness = await CreateAsync();
        var old = RandomBytes(4096, 3);
        await harness.PutAsync("disk.qcow2", old);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            harness.Store.PutStagedFileAsync(Region, Bucket, "disk.qcow2", Stage(harness, RandomBytes(8 << 20, 4)), null, cancelled.Token));

        Assert.Equal(old, await harness.GetAsync("disk.qcow2"));
        Assert.Empty(harness.TemporaryFiles());
    }

    [Fact]
    public async Task A_missing_bucket_is_BucketNotFound()
    {
        using var harness = await CreateAsync();
        var staged = Stage(harness, RandomBytes(8192, 5));

        var error = await Assert.ThrowsAsync<BucketException>(() =>
            harness.Store.PutStagedFileAsync(Region, "no-such-bucket", "disk.qcow2", staged, null, CancellationToken.None));

        Assert.Equal("InvalidOSSBucket.NotFound", error.Code);
    }
}
