using System.Net;
using Imago.Api.Tests.Infrastructure;

namespace Imago.Api.Tests.Protocol;

/// <summary>Requests the pipeline refuses before or around a handler, and what it makes of handler failures.</summary>
public sealed class PipelineErrorTests(ProtocolServer server) : IClassFixture<ProtocolServer>
{
    private EcsClient Client => server.Client;

    [Theory]
    [InlineData(SignatureStyle.V1Get)]
    [InlineData(SignatureStyle.V3)]
    public async Task UnknownActionIsInvalidActionNotFound(SignatureStyle style)
    {
        var response = await Client.CallAsync("DescribeUnicorns", null, style);
        response.AssertError("InvalidAction.NotFound", 404);
        Assert.Equal("Specified api is not found, please check your url and method.", response.Message);
    }

    [Fact]
    public async Task UnknownActionOfAnUnauthenticatedCallerIsAnAuthError()
    {
        var stranger = Client.WithKey("LTAIunknownunknownunkn", "x");
        (await stranger.CallAsync("DescribeUnicorns")).AssertError("InvalidAccessKeyId.NotFound", 400);
    }

    [Theory]
    [InlineData(SignatureStyle.V1Get)]
    [InlineData(SignatureStyle.V1Post)]
    [InlineData(SignatureStyle.V3)]
    public async Task AnotherApiVersionIsInvalidVersion(SignatureStyle style)
    {
        var response = await Client.CallAsync("DescribeRegions", null, style, options: new EcsCallOptions { Version = "2016-03-14" });
        response.AssertError("InvalidVersion", 400);
    }

    [Fact]
    public async Task AHugeBodyIsRefusedWithoutBeingRead()
    {
        using var content = new ByteArrayContent(new byte[3 * 1024 * 1024]);
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        using var response = await server.Http.PostAsync("/", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("\"Code\":\"RequestEntityTooLarge\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHugeChunkedBodyIsCutOffAtTheLimit()
    {
        var signed = await Client.CallAsync("TestEcho", null, SignatureStyle.V1Post, options: new EcsCallOptions
        {
            AfterSigning = request => request.Content = new StreamContent(new BoundedZeroStream(2 * 1024 * 1024)),
        });
        signed.AssertError("RequestEntityTooLarge", 413);
    }

    [Fact]
    public async Task ConflictingDuplicateParametersAreRefused()
    {
        using var response = await server.Http.GetAsync("/?Action=DescribeRegions&Action=TestEcho");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"Code\":\"InvalidParameter\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherHttpMethodsAreUnsupported()
    {
        using var response = await server.Http.PutAsync("/?Action=DescribeRegions", new StringContent(""));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("\"Code\":\"UnsupportedHTTPMethod\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherPathsAnswerAnEcsError()
    {
        using var response = await server.Http.GetAsync("/v2/whatever?Action=DescribeRegions");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json;charset=utf-8", response.Content.Headers.NonValidated["Content-Type"].ToString());
        Assert.Contains("\"Code\":\"InvalidAction.NotFound\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnauthenticatedEmptyRequestIsMissingParameter()
    {
        using var response = await server.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"Code\":\"MissingParameter\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHandlerBugIsInternalErrorAndLoggedWithItsStackTrace()
    {
        var response = await Client.CallAsync("TestFail");
        response.AssertError("InternalError", 500);
        Assert.Equal("The request processing has failed due to some unknown error, exception or failure.", response.Message);
        Assert.DoesNotContain("deliberate", response.Body, StringComparison.Ordinal);
        Assert.Contains(server.Logs.Lines, l => l.Exception is InvalidOperationException && l.Message.Contains(response.RequestId!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AConcurrencyConflictIsOperationConflict()
    {
        (await Client.CallAsync("TestConflict")).AssertError("OperationConflict", 409);
    }

    /// <summary>A body of zeros of unknown length (sent chunked), so only the read loop can stop it.</summary>
    private sealed class BoundedZeroStream(long length) : Stream
    {
        private long _remaining = length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, _remaining);
            Array.Clear(buffer, offset, n);
            _remaining -= n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

}
