using System.Net;
using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;

namespace Imago.Api.Tests.Protocol;

/// <summary>Every authentication failure gives its documented code and HTTP status (ecs-api.md 5.3), in JSON with all fields strings.</summary>
public sealed class AuthErrorTests(ProtocolServer server) : IClassFixture<ProtocolServer>
{
    private EcsClient Client => server.Client;

    [Theory]
    [InlineData("Signature")]
    [InlineData("AccessKeyId")]
    [InlineData("Timestamp")]
    [InlineData("SignatureNonce")]
    [InlineData("SignatureMethod")]
    [InlineData("SignatureVersion")]
    [InlineData("Action")]
    [InlineData("Version")]
    public async Task MissingV1ParameterIsMissingParameter(string name)
    {
        var response = await Client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get, options: new EcsCallOptions { Omit = [name] });
        response.AssertError("MissingParameter", 400);
        Assert.Contains($"\"{name}\"", response.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x-acs-date")]
    [InlineData("x-acs-signature-nonce")]
    [InlineData("x-acs-content-sha256")]
    [InlineData("x-acs-action")]
    [InlineData("x-acs-version")]
    public async Task MissingV3HeaderIsMissingParameter(string name)
    {
        var response = await Client.CallAsync("DescribeRegions", options: new EcsCallOptions { Omit = [name] });
        response.AssertError("MissingParameter", 400);
    }

    [Fact]
    public async Task V3WithoutTheHostSignedIsIncompleteSignature()
    {
        var response = await Client.CallAsync("DescribeRegions", options: new EcsCallOptions { Omit = ["host"] });
        response.AssertError("IncompleteSignature", 400);
    }

    [Fact]
    public async Task MalformedAuthorizationIsIncompleteSignature()
    {
        var response = await Client.CallAsync("DescribeRegions", options: new EcsCallOptions
        {
            AfterSigning = request =>
            {
                request.Headers.Remove("Authorization");
                request.Headers.TryAddWithoutValidation("Authorization", "ACS3-HMAC-SHA256 Credential=" + server.Key.AccessKeyId);
            },
        });
        response.AssertError("IncompleteSignature", 400);
    }

    [Theory]
    [InlineData(SignatureStyle.V1Get)]
    [InlineData(SignatureStyle.V1Post)]
    [InlineData(SignatureStyle.V3)]
    public async Task UnknownKeyIsInvalidAccessKeyIdNotFound(SignatureStyle style)
    {
        var stranger = Client.WithKey("LTAI" + Guid.NewGuid().ToString("N")[..20], "whatever");
        (await stranger.CallAsync("DescribeRegions", null, style)).AssertError("InvalidAccessKeyId.NotFound", 400);
    }

    [Theory]
    [InlineData(SignatureStyle.V1Get)]
    [InlineData(SignatureStyle.V3)]
    public async Task DisabledKeyIsForbidden(SignatureStyle style)
    {
        var disabled = server.Credentials.Add(99, enabled: false);
        var client = Client.WithKey(disabled.AccessKeyId, disabled.Secret);
        (await client.CallAsync("DescribeRegions", null, style)).AssertError("Forbidden.AccessKeyDisabled", 403);
    }

    [Theory]
    [InlineData(SignatureStyle.V1Get, "GET&%2F&AccessKeyId%3D")]
    [InlineData(SignatureStyle.V1Post, "POST&%2F&AccessKeyId%3D")]
    [InlineData(SignatureStyle.V1PostSplit, "POST&%2F&AccessKeyId%3D")]
    [InlineData(SignatureStyle.V3, "ACS3-HMAC-SHA256\n")]
    public async Task WrongSecretIsSignatureDoesNotMatchWithTheServerStringToSign(SignatureStyle style, string stringToSignStart)
    {
        var response = await Client.CallAsync("DescribeRegions", null, style, options: new EcsCallOptions { SigningSecret = "not-the-secret" });
        response.AssertError("SignatureDoesNotMatch", 400);
        Assert.StartsWith("Specified signature is not matched with our calculation. server string to sign is:" + stringToSignStart, response.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Key.Secret, response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SignatureStyle.V1Get)]
    [InlineData(SignatureStyle.V3)]
    public async Task AParameterChangedAfterSigningIsSignatureDoesNotMatch(SignatureStyle style)
    {
        var response = await Client.CallAsync("TestEcho", new Dictionary<string, string> { ["RegionId"] = "cn-hangzhou" }, style, options: new EcsCallOptions
        {
            AfterSigning = request => request.RequestUri = new Uri(request.RequestUri!.OriginalString.Replace("cn-hangzhou", "cn-shanghai", StringComparison.Ordinal), UriKind.Relative),
        });
        response.AssertError("SignatureDoesNotMatch", 400);
    }

    [Fact]
    public async Task V3SignatureCoversTheHostHeader()
    {
        var response = await Client.CallAsync("DescribeRegions", options: new EcsCallOptions
        {
            AfterSigning = request => request.Headers.Host = "ecs.cn-hangzhou.aliyuncs.com",
        });
        response.AssertError("SignatureDoesNotMatch", 400);
    }

    [Fact]
    public async Task V3BodyMustMatchItsSignedHash()
    {
        var response = await Client.CallAsync("TestEcho", options: new EcsCallOptions
        {
            AfterSigning = request => request.Content = new StringContent("RegionId=cn-hangzhou", System.Text.Encoding.UTF8, "application/octet-stream"),
        });
        response.AssertError("SignatureDoesNotMatch", 400);
        Assert.Contains("x-acs-content-sha256", response.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SignatureStyle.V1Get, -20)]
    [InlineData(SignatureStyle.V1Post, 20)]
    [InlineData(SignatureStyle.V3, -16)]
    [InlineData(SignatureStyle.V3, 16)]
    public async Task TimeOutsideFifteenMinutesIsIllegalTimestamp(SignatureStyle style, int minutes)
    {
        var response = await Client.CallAsync("DescribeRegions", null, style, options: new EcsCallOptions { Time = DateTimeOffset.UtcNow.AddMinutes(minutes) });
        response.AssertError("IllegalTimestamp", 400);
    }

    [Theory]
    [InlineData(SignatureStyle.V1Get, -14)]
    [InlineData(SignatureStyle.V3, 14)]
    public async Task TimeInsideTheWindowIsAccepted(SignatureStyle style, int minutes)
    {
        var response = await Client.CallAsync("DescribeRegions", null, style, options: new EcsCallOptions { Time = DateTimeOffset.UtcNow.AddMinutes(minutes) });
        response.EnsureSuccess();
    }

    [Theory]
    [InlineData(SignatureStyle.V1Get, "Timestamp", "yesterday")]
    [InlineData(SignatureStyle.V1Get, "Timestamp", "2026-13-45T99:00:00Z")]
    [InlineData(SignatureStyle.V3, "x-acs-date", "Fri, 27 Nov 2026 10:00:00 GMT")]
    public async Task MalformedTimeIsIllegalTimestamp(SignatureStyle style, string name, string value)
    {
        var response = await Client.CallAsync("DescribeRegions", null, style, options: new EcsCallOptions { Extra = new Dictionary<string, string> { [name] = value } });
        response.AssertError("IllegalTimestamp", 400);
    }

    [Theory]
    [InlineData(SignatureStyle.V1Get)]
    [InlineData(SignatureStyle.V1Post)]
    [InlineData(SignatureStyle.V3)]
    public async Task AReusedNonceIsSignatureNonceUsed(SignatureStyle style)
    {
        var options = new EcsCallOptions { Nonce = Guid.NewGuid().ToString("N") };
        (await Client.CallAsync("DescribeRegions", null, style, options: options)).EnsureSuccess();
        (await Client.CallAsync("DescribeRegions", null, style, options: options)).AssertError("SignatureNonceUsed", 400);
    }

    [Fact]
    public async Task AFailedSignatureDoesNotBurnTheNonce()
    {
        var nonce = Guid.NewGuid().ToString("N");
        (await Client.CallAsync("DescribeRegions", options: new EcsCallOptions { Nonce = nonce, SigningSecret = "wrong" })).AssertError("SignatureDoesNotMatch", 400);
        (await Client.CallAsync("DescribeRegions", options: new EcsCallOptions { Nonce = nonce })).EnsureSuccess();
    }

    [Fact]
    public async Task ConcurrentRequestsWithOneNonceLetExactlyOneThrough()
    {
        var options = new EcsCallOptions { Nonce = Guid.NewGuid().ToString("N"), Time = DateTimeOffset.UtcNow };
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get, options: options)));
        Assert.Single(responses, r => r.Status == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.Status != HttpStatusCode.OK), r => r.AssertError("SignatureNonceUsed", 400));
    }

    [Fact]
    public async Task AnOverlongNonceIsRefused()
    {
        var response = await Client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get, options: new EcsCallOptions { Nonce = new string('n', 4000) });
        response.AssertError("InvalidParameter", 400);
    }

    [Theory]
    [InlineData("SignatureMethod", "HMAC-SHA256")]
    [InlineData("SignatureVersion", "2.0")]
    public async Task UnsupportedSignatureMethodOrVersionIsInvalidParamater(string name, string value)
    {
        var response = await Client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get, options: new EcsCallOptions { Extra = new Dictionary<string, string> { [name] = value } });
        response.AssertError("InvalidParamater", 400);
    }

    [Fact]
    public async Task BearerTokenSignaturesAreRefused()
    {
        var response = await Client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get, options: new EcsCallOptions { Extra = new Dictionary<string, string> { ["SignatureType"] = "BEARERTOKEN" } });
        response.AssertError("InvalidParameter", 400);
    }

    [Fact]
    public async Task AnEmptySignatureTypeIsSignedAndAccepted()
    {
        // The Go V1 SDK always sends SignatureType= and includes it in the string to sign.
        var response = await Client.CallAsync("DescribeRegions", null, SignatureStyle.V1PostSplit, options: new EcsCallOptions { Extra = new Dictionary<string, string> { ["SignatureType"] = "" } });
        response.EnsureSuccess();
    }

    [Fact]
    public async Task ErrorBodiesCarryStringFieldsAndATroubleshootingLink()
    {
        var response = await Client.CallAsync("DescribeRegions", options: new EcsCallOptions { SigningSecret = "wrong" });
        var body = response.Json!;
        Assert.Equal(["RequestId", "HostId", "Code", "Message", "Recommend"], body.Select(p => p.Key));
        Assert.All(body, p => Assert.Equal(System.Text.Json.JsonValueKind.String, p.Value!.GetValueKind()));
        var requestId = body["RequestId"]!.GetValue<string>();
        Assert.Equal(requestId, response.Headers.GetValues("x-acs-request-id").Single());
        Assert.Equal(server.Http.BaseAddress!.Authority, body["HostId"]!.GetValue<string>());
        Assert.Equal($"https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&product=Ecs&requestId={requestId}", body["Recommend"]!.GetValue<string>());
        Assert.Equal("application/json;charset=utf-8", response.ContentType);
        Assert.IsType<JsonObject>(body);
    }
}
