using Imago.Api.Tests.Infrastructure;

namespace Imago.Api.Tests.Objects;

/// <summary>Odd targets, names and headers on the object API: always an OSS error with a 4xx status, never a 500 or a hang.</summary>
public sealed class HostileObjectRequestTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    [Fact]
    public async Task Hostile_targets_and_headers_get_oss_errors()
    {
        var account = await server.CreateAccountAsync();
        var client = new OssTestClient(server.Http, account.AccessKeyId, account.AccessKeySecret, "cn-hangzhou");
        var bucket = "hostile-" + Guid.NewGuid().ToString("N")[..12];
        (await client.PutBucketAsync(bucket)).AssertStatus(200);

        (await client.SendRawAsync(HttpMethod.Get, "/oss/", "/")).AssertError("InvalidArgument", 400);
        (await client.SendRawAsync(HttpMethod.Get, "/oss//bucket/k", "/bucket/k")).AssertError("InvalidArgument", 400);
        (await client.SendRawAsync(HttpMethod.Put, "/oss/cn-hangzhou/", "/")).AssertError("MethodNotAllowed", 405);
        (await client.SendRawAsync(HttpMethod.Get, "/oss/eu-nowhere-9", "/")).AssertStatus(200);
        (await client.SendRawAsync(HttpMethod.Get, $"/oss/cn-hangzhou/{bucket}/%FF%FE", $"/{bucket}/x")).AssertError("InvalidObjectName", 400);
        (await client.SendRawAsync(HttpMethod.Get, "/oss/cn-hangzhou/%C0%AF/k", "/x/k")).AssertError("InvalidBucketName", 400);
        (await client.SendRawAsync(HttpMethod.Get, "/oss/..%2F..%2Fetc/passwd/k", "/passwd/k")).AssertError("NoSuchBucket", 404);
        (await client.SendRawAsync(HttpMethod.Put, "/oss/eu-nowhere-9/newbucket", "/newbucket/")).AssertError("InvalidArgument", 400);
        (await client.SendRawAsync(HttpMethod.Get, "/oss/eu-nowhere-9/newbucket/k", "/newbucket/k")).AssertError("NoSuchBucket", 404);
        (await client.SendAsync(HttpMethod.Get, bucket, "/leading")).AssertError("InvalidObjectName", 400);

        // A key with control characters is stored, read and listed (XML cannot carry them: written unchecked, never a 500).
        (await client.PutAsync(bucket, "ctl\u0001\u001f\ud83d\ude00", [7])).AssertStatus(200);
        Assert.Equal([7], (await client.GetAsync(bucket, "ctl\u0001\u001f\ud83d\ude00")).AssertStatus(200).Body);
        Assert.Contains("ctl", (await client.SendAsync(HttpMethod.Get, bucket)).AssertStatus(200).Text, StringComparison.Ordinal);

        foreach (var authorization in new[] { "OSS", "OSS :", "OSS id:", "OSS :sig", "Bearer x", "OSS a:b:c", new string('A', 10000) })
        {
            (await client.SendAsync(HttpMethod.Get, bucket, "k", beforeSigning: r => r.Headers.TryAddWithoutValidation("Authorization", authorization)))
                .AssertStatus(403);
        }

        foreach (var date in new[] { "yesterday", "", "Mon, 99 Foo 2026 00:00:00 GMT" })
        {
            var response = await client.SendAsync(HttpMethod.Get, bucket, "k", beforeSigning: r =>
            {
                r.Headers.Remove("Date");
                r.Headers.TryAddWithoutValidation("x-oss-date", date);
            });
            Assert.Equal(403, (int)response.Status);
        }

        foreach (var query in new[] { "max-keys=-1", "max-keys=1001", "max-keys=abc", "max-keys=99999999999999999999" })
        {
            (await client.SendAsync(HttpMethod.Get, bucket, query: query)).AssertError("InvalidArgument", 400);
        }

        foreach (var expires in new[] { "abc", "-5", "99999999999999999999" })
        {
            var target = $"/oss/cn-hangzhou/{bucket}/k?OSSAccessKeyId={account.AccessKeyId}&Expires={expires}&Signature=x";
            var response = await OssTestClient.ReadAsync(await server.Http.GetAsync(target));
            Assert.Equal(403, (int)response.Status);
        }
    }
}
