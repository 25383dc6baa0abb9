using System.Security.Cryptography;
using Imago.Core.Buckets;
using Imago.Formats.IO;
using static Imago.Core.Tests.Buckets.BucketStoreHarness;

namespace Imago.Core.Tests.Buckets;

/// <summary>The directory bucket store: round trips, metadata, listing, buckets and the refusals with their codes.</summary>
public sealed class BucketStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData((5 << 20) + 12345)]
    public async Task An_object_reads_back_byte_for_byte_with_its_size_md5_and_sha256(int length)
    {
        using var harness = await CreateAsync();
        var content = RandomBytes(length, length);

        var put = await harness.PutAsync("disks/system.raw", content);

        Assert.Equal(content, await harness.GetAsync("disks/system.raw"));
        var stat = await harness.Store.StatObjectAsync(Region, Bucket, "disks/system.raw", None);
        Assert.Equal(put, stat);
        Assert.Equal(length, stat.Size);
        Assert.Equal(Convert.ToHexString(MD5.HashData(content)), stat.ETag);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), stat.Sha256);
        Assert.True(Math.Abs((DateTime.UtcNow - stat.LastModified).TotalMinutes) < 5, $"{stat.LastModified:O}");
    }

    [Fact]
    public async Task The_byte_source_reads_any_range_as_the_format_engine_does()
    {
        using var harness = await CreateAsync();
        var content = RandomBytes(3 << 20, 7);
        await harness.PutAsync("image.qcow2", content);

        using var source = await harness.Store.OpenByteSourceAsync(Region, Bucket, "image.qcow2", None);

        Assert.Equal(content.Length, source.Length);
        var middle = new byte[100_000];
        Assert.Equal(middle.Length, await source.ReadAtMostAsync(1_234_567, middle));
        Assert.Equal(content.AsSpan(1_234_567, middle.Length).ToArray(), middle);
        var tail = new byte[1000];
        Assert.Equal(10, await source.ReadAtMostAsync(content.Length - 10, tail));
        Assert.Equal(content.AsSpan(content.Length - 10).ToArray(), tail[..10]);
        Assert.Equal(0, await source.ReadAsync(content.Length, tail));
    }

    [Fact]
    public async Task A_put_replaces_the_object_and_an_open_reader_keeps_the_old_bytes()
    {
        using var harness = await CreateAsync();
        var first = RandomBytes(100_000, 1);
        var second = RandomBytes(50_000, 2);
        await harness.PutAsync("k", first);
        using var reader = await harness.Store.OpenByteSourceAsync(Region, Bucket, "k", None);

        await harness.PutAsync("k", second);

        Assert.Equal(second, await harness.GetAsync("k"));
        var old = new byte[first.Length];
        Assert.Equal(first.Length, await reader.ReadAtMostAsync(0, old));
        Assert.Equal(first, old);
    }

    [Fact]
    public async Task Listing_filters_by_prefix_in_byte_order_and_pages_with_the_marker()
    {
        using var harness = await CreateAsync();
        string[] keys = ["b/1", "a/3", "a/1", "c", "a/2", "a/10", "ab"];
        foreach (var key in keys)
        {
            await harness.PutAsync(key, [1, 2, 3]);
        }

        var first = await harness.Store.ListObjectsAsync(Region, Bucket, "a/", null, 3, None);
        Assert.Equal(["a/1", "a/10", "a/2"], first.Objects.Select(o => o.Key));
        Assert.True(first.IsTruncated);
        Assert.Equal("a/2", first.NextMarker);

        var second = await harness.Store.ListObjectsAsync(Region, Bucket, "a/", first.NextMarker, 3, None);
        Assert.Equal(["a/3"], second.Objects.Select(o => o.Key));
        Assert.False(second.IsTruncated);
        Assert.Null(second.NextMarker);

        var all = await harness.Store.ListObjectsAsync(Region, Bucket, null, null, 1000, None);
        Assert.Equal(keys.Order(StringComparer.Ordinal), all.Objects.Select(o => o.Key));
        Assert.All(all.Objects, o => Assert.Equal(3, o.Size));
    }

    [Fact]
    public async Task Buckets_are_created_listed_and_deleted_per_region()
    {
        using var harness = await CreateAsync();
        await harness.Store.CreateBucketAsync(Region, "another-1", None);
        await harness.Store.CreateBucketAsync("cn-shanghai", "images", None);

        Assert.Equal(["another-1", "images"], (await harness.Store.ListBucketsAsync(Region, None)).Select(b => b.Name));
        Assert.Equal(["images"], (await harness.Store.ListBucketsAsync("cn-shanghai", None)).Select(b => b.Name));
        Assert.Empty(await harness.Store.ListBucketsAsync("us-west-1", None));

        await harness.PutAsync("x", [1]);
        var notEmpty = await Assert.ThrowsAsync<BucketException>(() => harness.Store.DeleteBucketAsync(Region, Bucket, None));
        Assert.Equal("BucketNotEmpty", notEmpty.Code);
        Assert.Equal([1], await harness.GetAsync("x"));

        await harness.Store.DeleteObjectAsync(Region, Bucket, "x", None);
        await harness.Store.DeleteBucketAsync(Region, Bucket, None);
        Assert.Equal(["another-1"], (await harness.Store.ListBucketsAsync(Region, None)).Select(b => b.Name));
        Assert.False(Directory.Exists(harness.BucketDirectory));
        Assert.Empty(Directory.GetDirectories(Path.Combine(harness.DataDirectory, "buckets", Region), ".*"));

        var exists = await Assert.ThrowsAsync<BucketException>(() => harness.Store.CreateBucketAsync(Region, "another-1", None));
        Assert.Equal("BucketAlreadyExists", exists.Code);
    }

    [Fact]
    public async Task Concurrent_creates_of_one_bucket_make_it_once()
    {
        using var harness = await CreateAsync();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            try
            {
                await harness.Store.CreateBucketAsync(Region, "raced", None);
                return "created";
            }
            catch (BucketException e)
            {
                return e.Code;
            }
        })));

        Assert.Single(attempts, a => a == "created");
        Assert.All(attempts.Where(a => a != "created"), a => Assert.Equal("BucketAlreadyExists", a));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Images")]
    [InlineData("-images")]
    [InlineData("images-")]
    [InlineData("my_images")]
    [InlineData("my.images")]
    [InlineData("..")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("abcdefghijklmnopqrstuvwxyz-abcdefghijklmnopqrstuvwxyz-0123456789")]
    public async Task Bad_bucket_names_are_refused_as_oss_refuses_them(string name)
    {
        using var harness = await CreateAsync();

        var error = await Assert.ThrowsAsync<BucketException>(() => harness.Store.CreateBucketAsync(Region, name, None));

        Assert.Equal("InvalidBucketName", error.Code);
        Assert.Equal(400, error.HttpStatus);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(["cn-hangzhou"], Directory.GetDirectories(Path.Combine(harness.DataDirectory, "buckets")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("a-1")]
    [InlineData("0123456789-0123456789-0123456789-0123456789-0123456789-01234567")]
    public async Task Names_oss_allows_are_accepted(string name)
    {
        using var harness = await CreateAsync();

        var created = await harness.Store.CreateBucketAsync(Region, name, None);

        Assert.Equal(name, created.Name);
        Assert.Contains(name, (await harness.Store.ListBucketsAsync(Region, None)).Select(b => b.Name));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../escape")]
    [InlineData("UPPER")]
    [InlineData("cn-hangzhou/../..")]
    public async Task A_region_that_is_not_a_region_id_is_refused(string region)
    {
        using var harness = await CreateAsync();

        var error = await Assert.ThrowsAsync<BucketException>(() => harness.Store.CreateBucketAsync(region, "images", None));

        Assert.Equal("InvalidRegionId.NotFound", error.Code);
    }

    [Fact]
    public async Task Missing_buckets_and_objects_answer_with_the_documented_codes()
    {
        using var harness = await CreateAsync();

        var bucket = await Assert.ThrowsAsync<BucketException>(() => harness.Store.OpenByteSourceAsync(Region, "nowhere", "k", None));
        Assert.Equal(("InvalidOSSBucket.NotFound", 404), (bucket.Code, bucket.HttpStatus));
        Assert.Equal("bucket 'nowhere' does not exist in region cn-hangzhou", bucket.Message);
        Assert.Equal("InvalidOSSBucket.NotFound", (await Assert.ThrowsAsync<BucketException>(
            () => harness.Store.PutObjectAsync("cn-shanghai", Bucket, "k", new MemoryStream([1]), null, None))).Code);
        Assert.Equal("InvalidOSSBucket.NotFound", (await Assert.ThrowsAsync<BucketException>(
            () => harness.Store.DeleteBucketAsync(Region, "nowhere", None))).Code);
        Assert.Equal("InvalidOSSBucket.NotFound", (await Assert.ThrowsAsync<BucketException>(
            () => harness.Store.ListObjectsAsync(Region, "nowhere", null, null, 10, None))).Code);

        var missing = await Assert.ThrowsAsync<BucketException>(() => harness.Store.StatObjectAsync(Region, Bucket, "no/such.raw", None));
        Assert.Equal(("InvalidOSSObject.NotFound", 404), (missing.Code, missing.HttpStatus));
        Assert.Equal("object 'no/such.raw' does not exist in bucket 'images'", missing.Message);
        Assert.Equal("InvalidOSSObject.NotFound", (await Assert.ThrowsAsync<BucketException>(
            () => harness.Store.DeleteObjectAsync(Region, Bucket, "no/such.raw", None))).Code);
        Assert.Equal("InvalidOSSObject.NotFound", (await Assert.ThrowsAsync<BucketException>(
            () => harness.Store.OpenByteSourceAsync(Region, Bucket, "no/such.raw", None))).Code);
    }

    [Fact]
    public async Task A_deleted_object_is_gone_and_others_stay()
    {
        using var harness = await CreateAsync();
        await harness.PutAsync("a", [1]);
        await harness.PutAsync("b", [2]);

        await harness.Store.DeleteObjectAsync(Region, Bucket, "a", None);

        Assert.Equal(["b"], (await harness.Store.ListObjectsAsync(Region, Bucket, null, null, 100, None)).Objects.Select(o => o.Key));
        Assert.Equal("InvalidOSSObject.NotFound", (await Assert.ThrowsAsync<BucketException>(() => harness.GetAsync("a"))).Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task A_page_size_outside_1_to_1000_is_refused(int maxKeys)
    {
        using var harness = await CreateAsync();

        var error = await Assert.ThrowsAsync<BucketException>(() => harness.Store.ListObjectsAsync(Region, Bucket, null, null, maxKeys, None));

        Assert.Equal("InvalidParameter", error.Code);
    }

    [Fact]
    public async Task The_stream_adapter_seeks_and_reports_the_object_length()
    {
        using var harness = await CreateAsync();
        var content = RandomBytes(10_000, 3);
        await harness.PutAsync("k", content);
        await using var stream = await harness.Store.OpenReadAsync(Region, Bucket, "k", None);

        stream.Seek(-100, SeekOrigin.End);
        var tail = new byte[200];
        var n = await stream.ReadAsync(tail);

        Assert.Equal(content.Length, stream.Length);
        Assert.Equal(100, n);
        Assert.Equal(content.AsSpan(content.Length - 100).ToArray(), tail[..n]);
        Assert.Equal(content.Length, stream.Position);
    }
}
