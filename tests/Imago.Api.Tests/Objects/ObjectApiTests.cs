using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Imago.Api.Tests.Infrastructure;
using Imago.Core.Buckets;

namespace Imago.Api.Tests.Objects;

/// <summary>The object API on /oss/: operations, signatures, presigned URLs, ranges and every error code.</summary>
public sealed class ObjectApiTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    private const string Region = "cn-hangzhou";

    private async Task<(OssTestClient Client, Core.Accounts.NewAccount Account)> NewClientAsync()
    {
        var account = await server.CreateAccountAsync();
        return (new OssTestClient(server.Http, account.AccessKeyId, account.AccessKeySecret, Region), account);
    }

    private static string NewBucket() => "b-" + Guid.NewGuid().ToString("N")[..16];

    [Fact]
    public async Task Objects_round_trip_with_etag_listing_and_delete()
    {
        var (client, account) = await NewClientAsync();
        var bucket = NewBucket();
        (await client.PutBucketAsync(bucket)).AssertStatus(200);
        (await client.PutBucketAsync(bucket)).AssertStatus(200); // creating your own bucket again is a success, as in OSS
        var owner = await server.GetRequiredService<IBucketStore>().FindBucketAsync(Region, bucket, CancellationToken.None);
        Assert.Equal(account.AccountId, owner!.OwnerAccountId);

        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var put = (await client.PutAsync(bucket, "dir/disk one.qcow2", bytes)).AssertStatus(200);
        var etag = "\"" + Convert.ToHexString(MD5.HashData(bytes)) + "\"";
        Assert.Equal(etag, put.Headers.ETag!.Tag);
        (await client.PutAsync(bucket, "dir/b", [1, 2, 3], withMd5: false)).AssertStatus(200);
        (await client.PutAsync(bucket, "other", [])).AssertStatus(200);

        var get = (await client.GetAsync(bucket, "dir/disk one.qcow2")).AssertStatus(200);
        Assert.Equal(bytes, get.Body);
        Assert.Equal(etag, get.Headers.ETag!.Tag);
        Assert.Equal(bytes.Length, get.ContentHeaders.ContentLength);

        var head = (await client.SendAsync(HttpMethod.Head, bucket, "dir/disk one.qcow2")).AssertStatus(200);
        Assert.Empty(head.Body);
        Assert.Equal(bytes.Length, head.ContentHeaders.ContentLength);
        Assert.Equal(["Normal"], head.Headers.GetValues("x-oss-object-type"));

        var list = (await client.SendAsync(HttpMethod.Get, bucket, query: "prefix=dir%2F&max-keys=1")).AssertStatus(200).Xml.Root!;
        Assert.Equal("ListBucketResult", list.Name.LocalName);
        Assert.Equal("true", list.Element("IsTruncated")!.Value);
        Assert.Equal(["dir/b"], list.Elements("Contents").Select(c => c.Element("Key")!.Value));
        var next = list.Element("NextMarker")!.Value;
        var page2 = (await client.SendAsync(HttpMethod.Get, bucket, query: $"prefix=dir%2F&marker={Uri.EscapeDataString(next)}")).AssertStatus(200).Xml.Root!;
        var only = Assert.Single(page2.Elements("Contents"));
        Assert.Equal("dir/disk one.qcow2", only.Element("Key")!.Value);
        Assert.Equal(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), only.Element("Size")!.Value);
        Assert.Equal(etag, only.Element("ETag")!.Value);
        Assert.Equal("Normal", only.Element("Type")!.Value);
        Assert.Equal("false", page2.Element("IsTruncated")!.Value);

        (await client.SendAsync(HttpMethod.Delete, bucket)).AssertError("BucketNotEmpty", 409);
        foreach (var key in new[] { "dir/disk one.qcow2", "dir/b", "other" })
        {
            (await client.SendAsync(HttpMethod.Delete, bucket, key)).AssertStatus(204);
        }

        (await client.SendAsync(HttpMethod.Delete, bucket, "other")).AssertStatus(204); // idempotent, as OSS
        (await client.GetAsync(bucket, "other")).AssertError("NoSuchKey", 404);
        (await client.SendAsync(HttpMethod.Delete, bucket)).AssertStatus(204);
        (await client.GetAsync(bucket, "dir/b")).AssertError("NoSuchBucket", 404);
    }

    [Fact]
    public async Task An_object_stored_in_parts_answers_with_its_multipart_ETag_and_type()
    {
        // What an export stores: three parts (the last half of one), a few bytes of data in each.
        var (client, _) = await NewClientAsync();
        var bucket = NewBucket();
        (await client.PutBucketAsync(bucket)).AssertStatus(200);
        const int part = (int)ObjectParts.MinPartSize;
        var content = new byte[(2 * part) + (part / 2)];
        var middle = part + (part / 8);
        foreach (var offset in new[] { 0, middle, content.Length - 3 })
        {
            RandomNumberGenerator.Fill(content.AsSpan(offset, 3));
        }

        var stored = await ((IPartedPutBucketStore)server.GetRequiredService<IBucketStore>())
            .PutPartsAsync(Region, bucket, "m-1_system.raw", new ArrayContent(content), null, CancellationToken.None);
        var partMd5s = Enumerable.Range(0, 3).SelectMany(i => MD5.HashData(content.AsSpan(i * part, Math.Min(part, content.Length - (i * part))))).ToArray();
        var etag = $"\"{Convert.ToHexString(MD5.HashData(partMd5s))}-3\"";
        Assert.Equal(etag, $"\"{stored.ETag}\"");

        var head = (await client.SendAsync(HttpMethod.Head, bucket, "m-1_system.raw")).AssertStatus(200);
        Assert.Equal(etag, head.Headers.ETag!.Tag);
        Assert.Equal(["Multipart"], head.Headers.GetValues("x-oss-object-type"));
        var ranged = (await client.GetAsync(bucket, "m-1_system.raw", $"bytes={middle}-{middle + 2}")).AssertStatus(206);
        Assert.Equal(content.AsSpan(middle, 3).ToArray(), ranged.Body);
        var listed = Assert.Single((await client.SendAsync(HttpMethod.Get, bucket)).AssertStatus(200).Xml.Root!.Elements("Contents"));
        Assert.Equal((etag, "Multipart"), (listed.Element("ETag")!.Value, listed.Element("Type")!.Value));
    }

    private sealed class ArrayContent(byte[] content) : IObjectContent
    {
        public long Length => content.Length;

        public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            content.AsMemory((int)offset, buffer.Length).CopyTo(buffer);
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> IsZeroAsync(long offset, long length, CancellationToken cancellationToken) =>
            ValueTask.FromResult(!content.AsSpan((int)offset, (int)length).ContainsAnyExcept((byte)0));
    }

    [Fact]
    public async Task Range_reads_answer_206_and_unsatisfiable_ranges_416()
    {
        var (client, _) = await NewClientAsync();
        var bucket = NewBucket();
        (await client.PutBucketAsync(bucket)).AssertStatus(200);
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        (await client.PutAsync(bucket, "k", bytes)).AssertStatus(200);

        var middle = (await client.GetAsync(bucket, "k", "bytes=10-19")).AssertStatus(206);
        Assert.Equal(bytes[10..20], middle.Body);
        Assert.Equal("bytes 10-19/1000", middle.ContentHeaders.ContentRange!.ToString());

        Assert.Equal(bytes[990..], (await client.GetAsync(bucket, "k", "bytes=990-")).AssertStatus(206).Body);
        Assert.Equal(bytes[995..], (await client.GetAsync(bucket, "k", "bytes=-5")).AssertStatus(206).Body);
        Assert.Equal(bytes[900..], (await client.GetAsync(bucket, "k", "bytes=900-5000")).AssertStatus(206).Body); // clamped
        Assert.Equal(bytes, (await client.GetAsync(bucket, "k", "bytes=oops")).AssertStatus(200).Body); // ignored, as OSS
        (await client.GetAsync(bucket, "k", "bytes=1000-1001")).AssertError("InvalidRange", 416);
    }

    [Fact]
    public async Task Signatures_are_checked_bad_unknown_unsigned_and_skewed_requests_are_refused()
    {
        var (client, account) = await NewClientAsync();
        var bucket = NewBucket();
        (await client.PutBucketAsync(bucket)).AssertStatus(200);
        (await client.PutAsync(bucket, "k", [1, 2, 3])).AssertStatus(200);

        (await client.SendAsync(HttpMethod.Get, bucket, "k", signingSecret: "not-the-secret")).AssertError("SignatureDoesNotMatch", 403);
        (await client.SendAsync(HttpMethod.Get, bucket, "k", resource: $"/{bucket}/other")).AssertError("SignatureDoesNotMatch", 403);
        // An x-oss- header is signed: changing it after signing breaks the signature.
        (await client.SendAsync(HttpMethod.Get, bucket, "k", beforeSigning: r => r.Headers.Add("x-oss-meta-a", "1"))).AssertStatus(200);
        (await client.SendAsync(HttpMethod.Get, bucket, "k", afterSigning: r => r.Headers.Add("x-oss-meta-a", "1"))).AssertError("SignatureDoesNotMatch", 403);
        var stranger = new OssTestClient(server.Http, "LTAI-no-such-key", "x", Region);
        (await stranger.GetAsync(bucket, "k")).AssertError("InvalidAccessKeyId", 403);
        (await client.SendAsync(HttpMethod.Get, bucket, "k", beforeSigning: r => r.Headers.TryAddWithoutValidation("Authorization", ""))).AssertError("AccessDenied", 403);
        using (var unsigned = new HttpRequestMessage(HttpMethod.Get, OssTestClient.PathOf(Region, bucket, "k")))
        {
            (await OssTestClient.ReadAsync(await server.Http.SendAsync(unsigned))).AssertError("AccessDenied", 403);
        }

        (await client.GetAsync(bucket, "k")).AssertStatus(200);
        (await client.SendAsync(HttpMethod.Get, bucket, "k", date: DateTimeOffset.UtcNow.AddMinutes(-16))).AssertError("RequestTimeTooSkewed", 403);
        (await client.SendAsync(HttpMethod.Get, bucket, "k", date: DateTimeOffset.UtcNow.AddMinutes(16))).AssertError("RequestTimeTooSkewed", 403);
        (await client.SendAsync(HttpMethod.Get, bucket, "k", date: DateTimeOffset.UtcNow.AddMinutes(-10))).AssertStatus(200);

        // x-oss-date, when present, is the signed time (and is signed as an x-oss- header).
        var now = DateTimeOffset.UtcNow.ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        (await client.SendAsync(HttpMethod.Get, bucket, "k", beforeSigning: r =>
        {
            r.Headers.Remove("Date");
            r.Headers.TryAddWithoutValidation("x-oss-date", now);
        })).AssertStatus(200);
        (await client.SendAsync(HttpMethod.Get, bucket, "k", date: DateTimeOffset.UtcNow.AddHours(-3),
            beforeSigning: r => r.Headers.TryAddWithoutValidation("x-oss-date", now))).AssertStatus(200);
        var stale = DateTimeOffset.UtcNow.AddHours(-3).ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        (await client.SendAsync(HttpMethod.Get, bucket, "k", beforeSigning: r => r.Headers.TryAddWithoutValidation("x-oss-date", stale)))
            .AssertError("RequestTimeTooSkewed", 403);

        // A disabled key is refused like an unknown one.
        await server.GetRequiredService<Core.Accounts.AccountService>().SetKeyEnabledAsync(account.AccessKeyId, false, CancellationToken.None);
        (await client.GetAsync(bucket, "k")).AssertError("InvalidAccessKeyId", 403);
        Assert.DoesNotContain(account.AccessKeySecret, server.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Presigned_urls_download_until_they_expire()
    {
        var (client, _) = await NewClientAsync();
        var bucket = NewBucket();
        (await client.PutBucketAsync(bucket)).AssertStatus(200);
        (await client.PutAsync(bucket, "exports/disk.raw", [9, 8, 7])).AssertStatus(200);

        var url = client.PresignedGet(bucket, "exports/disk.raw", DateTimeOffset.UtcNow.AddMinutes(5));
        var plain = new HttpClient { BaseAddress = server.BaseAddress };
        Assert.Equal([9, 8, 7], (await OssTestClient.ReadAsync(await plain.GetAsync(url))).AssertStatus(200).Body);

        var expired = client.PresignedGet(bucket, "exports/disk.raw", DateTimeOffset.UtcNow.AddSeconds(-2));
        (await OssTestClient.ReadAsync(await plain.GetAsync(expired))).AssertError("AccessDenied", 403);
        var forged = client.PresignedGet(bucket, "exports/disk.raw", DateTimeOffset.UtcNow.AddMinutes(5), signingSecret: "guess");
        (await OssTestClient.ReadAsync(await plain.GetAsync(forged))).AssertError("SignatureDoesNotMatch", 403);
        var extended = url.Replace("Expires=", "Expires=9", StringComparison.Ordinal); // a later expiry is not what was signed
        (await OssTestClient.ReadAsync(await plain.GetAsync(extended))).AssertError("SignatureDoesNotMatch", 403);
        plain.Dispose();
    }

    [Fact]
    public async Task Every_other_error_code_has_its_status()
    {
        var (client, _) = await NewClientAsync();
        var bucket = NewBucket();
        (await client.PutBucketAsync("Bad_Name")).AssertError("InvalidBucketName", 400);
        (await client.PutBucketAsync(bucket)).AssertStatus(200);
        (await client.PutAsync(bucket, new string('k', 1025), [1])).AssertError("InvalidObjectName", 400);
        (await client.GetAsync(bucket, "missing")).AssertError("NoSuchKey", 404);
        (await client.SendAsync(HttpMethod.Head, bucket, "missing")).AssertStatus(404);
        (await client.GetAsync(NewBucket(), "k")).AssertError("NoSuchBucket", 404);
        (await client.SendAsync(HttpMethod.Get, bucket, query: "max-keys=0")).AssertError("InvalidArgument", 400);
        (await client.SendAsync(HttpMethod.Post, bucket, "k")).AssertError("MethodNotAllowed", 405);

        // A wrong Content-MD5 fails the put and keeps the previous object.
        (await client.PutAsync(bucket, "k", [1, 2, 3])).AssertStatus(200);
        var wrong = new ByteArrayContent([4, 5, 6]);
        wrong.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        wrong.Headers.ContentMD5 = MD5.HashData([7, 7, 7]);
        (await client.SendAsync(HttpMethod.Put, bucket, "k", wrong)).AssertError("InvalidDigest", 400);
        var malformed = new ByteArrayContent([4, 5, 6]);
        malformed.Headers.TryAddWithoutValidation("Content-MD5", "not-base64");
        (await client.SendAsync(HttpMethod.Put, bucket, "k", malformed)).AssertError("InvalidDigest", 400);
        Assert.Equal([1, 2, 3], (await client.GetAsync(bucket, "k")).AssertStatus(200).Body);

        // Names are unique per region: another account's name is taken; the operator's buckets are theirs to delete.
        var (other, _) = await NewClientAsync();
        (await other.PutBucketAsync(bucket)).AssertError("BucketAlreadyExists", 409);
        var shared = NewBucket();
        await server.GetRequiredService<IBucketStore>().CreateBucketAsync(Region, shared, CancellationToken.None);
        (await client.SendAsync(HttpMethod.Delete, shared)).AssertError("AccessDenied", 403);
        (await client.PutBucketAsync(shared)).AssertError("BucketAlreadyExists", 409);
    }

    [Fact]
    public async Task Another_accounts_bucket_answers_exactly_like_a_missing_one()
    {
        var (owner, _) = await NewClientAsync();
        var (intruder, _) = await NewClientAsync();
        var bucket = NewBucket();
        var missing = NewBucket();
        (await owner.PutBucketAsync(bucket)).AssertStatus(200);
        (await owner.PutAsync(bucket, "k", Encoding.UTF8.GetBytes("secret bytes"))).AssertStatus(200);

        async Task SameAsMissing(Func<string, Task<OssResponse>> call)
        {
            var theirs = await call(bucket);
            var none = await call(missing);
            theirs.AssertError("NoSuchBucket", 404);
            none.AssertError("NoSuchBucket", 404);
            Assert.Equal(none.Xml.Root!.Element("Message")!.Value.Replace(missing, "B", StringComparison.Ordinal),
                theirs.Xml.Root!.Element("Message")!.Value.Replace(bucket, "B", StringComparison.Ordinal));
        }

        await SameAsMissing(b => intruder.GetAsync(b, "k"));
        await SameAsMissing(b => intruder.PutAsync(b, "k", [0]));
        await SameAsMissing(b => intruder.SendAsync(HttpMethod.Delete, b, "k"));
        await SameAsMissing(b => intruder.SendAsync(HttpMethod.Get, b));
        await SameAsMissing(b => intruder.SendAsync(HttpMethod.Delete, b));
        (await intruder.SendAsync(HttpMethod.Head, bucket, "k")).AssertStatus(404);
        var presigned = intruder.PresignedGet(bucket, "k", DateTimeOffset.UtcNow.AddMinutes(1));
        (await OssTestClient.ReadAsync(await server.Http.GetAsync(presigned))).AssertError("NoSuchBucket", 404);

        // The owner's object is untouched.
        Assert.Equal("secret bytes", (await owner.GetAsync(bucket, "k")).AssertStatus(200).Text);
    }

    [Fact]
    public async Task Listing_a_region_shows_the_callers_buckets_and_the_operators_only()
    {
        var (mine, account) = await NewClientAsync();
        var (other, _) = await NewClientAsync();
        var own = NewBucket();
        var theirs = NewBucket();
        var shared = NewBucket();
        (await mine.PutBucketAsync(own)).AssertStatus(200);
        (await other.PutBucketAsync(theirs)).AssertStatus(200);
        await server.GetRequiredService<IBucketStore>().CreateBucketAsync(Region, shared, CancellationToken.None);

        var root = (await mine.SendRawAsync(HttpMethod.Get, $"/oss/{Region}", "/")).AssertStatus(200).Xml.Root!;
        Assert.Equal("ListAllMyBucketsResult", root.Name.LocalName);
        Assert.Equal(account.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture), root.Element("Owner")!.Element("ID")!.Value);
        var names = root.Element("Buckets")!.Elements("Bucket").Select(b => b.Element("Name")!.Value).ToList();
        Assert.Contains(own, names);
        Assert.Contains(shared, names);
        Assert.DoesNotContain(theirs, names);
        Assert.Equal(Region, root.Element("Buckets")!.Elements("Bucket").First(b => b.Element("Name")!.Value == own).Element("Region")!.Value);
        (await mine.SendRawAsync(HttpMethod.Get, $"/oss/{Region}/", "/", signingSecret: "wrong")).AssertError("SignatureDoesNotMatch", 403);
    }

    [Fact]
    public async Task Operator_buckets_are_shared_for_objects()
    {
        var (first, _) = await NewClientAsync();
        var (second, _) = await NewClientAsync();
        var shared = NewBucket();
        await server.GetRequiredService<IBucketStore>().CreateBucketAsync(Region, shared, CancellationToken.None);
        (await first.PutAsync(shared, "drop/a", [1])).AssertStatus(200);
        Assert.Equal([1], (await second.GetAsync(shared, "drop/a")).AssertStatus(200).Body);
        Assert.Single((await second.SendAsync(HttpMethod.Get, shared)).AssertStatus(200).Xml.Root!.Elements("Contents"));
    }
}
