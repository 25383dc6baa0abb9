using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace Imago.Api.Tests.Objects;

/// <summary>A parsed object API answer: status, body bytes, the Error document's code when there is one.</summary>
public sealed record OssResponse(HttpStatusCode Status, byte[] Body, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public XDocument Xml => XDocument.Parse(Text);

    public string? Code => Body.Length > 0 && Text.Contains("<Error>", StringComparison.Ordinal) ? Xml.Root?.Element("Code")?.Value : null;

    public OssResponse AssertError(string code, int status)
    {
        if (Code != code || (int)Status != status)
        {
            throw new InvalidOperationException($"expected {code} ({status}), got {(int)Status}: {Text}");
        }

        Assert.False(string.IsNullOrEmpty(Xml.Root!.Element("RequestId")?.Value));
        Assert.Equal(Headers.GetValues("x-oss-request-id").Single(), Xml.Root!.Element("RequestId")!.Value);
        return this;
    }

    public OssResponse AssertStatus(int status) =>
        (int)Status == status ? this : throw new InvalidOperationException($"expected {status}, got {(int)Status}: {Text}");
}

/// <summary>
/// An OSS V1 signing client for the object API tests, written apart from the service's <c>OssSignature</c> (its own
/// canonical forms) so a bug shared by both sides cannot pass unnoticed.
/// </summary>
public sealed class OssTestClient(HttpClient http, string accessKeyId, string secret, string region)
{
    public string Region => region;

    public static string PathOf(string region, string bucket, string? key = null) =>
        $"/oss/{region}/{bucket}" + (key is null ? "" : "/" + string.Join("/", key.Split('/').Select(Uri.EscapeDataString)));

    public Task<OssResponse> SendAsync(HttpMethod method, string bucket, string? key = null, HttpContent? content = null, string? query = null,
        Action<HttpRequestMessage>? beforeSigning = null, DateTimeOffset? date = null, string? signingSecret = null, string? resource = null,
        Action<HttpRequestMessage>? afterSigning = null) =>
        SendRawAsync(method, PathOf(region, bucket, key) + (query is null ? "" : "?" + query), "/" + bucket + "/" + (key ?? ""), content,
            beforeSigning, date, signingSecret, resource, afterSigning);

    public async Task<OssResponse> SendRawAsync(HttpMethod method, string target, string canonicalResource, HttpContent? content = null,
        Action<HttpRequestMessage>? beforeSigning = null, DateTimeOffset? date = null, string? signingSecret = null, string? resource = null,
        Action<HttpRequestMessage>? afterSigning = null)
    {
        using var request = new HttpRequestMessage(method, target) { Content = content };
        request.Headers.Date = date ?? DateTimeOffset.UtcNow;
        beforeSigning?.Invoke(request);
        if (!request.Headers.Contains("Authorization"))
        {
            var signature = Signature(signingSecret ?? secret, method.Method, content is not null && content.Headers.NonValidated.TryGetValues("Content-MD5", out var md5) ? md5.ToString() : "",
                content?.Headers.ContentType?.ToString() ?? "", request.Headers.Date?.ToString("r", CultureInfo.InvariantCulture)
                    ?? (request.Headers.TryGetValues("x-oss-date", out var ossDate) ? ossDate.First() : ""),
                request.Headers.Where(h => h.Key.StartsWith("x-oss-", StringComparison.OrdinalIgnoreCase))
                    .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value)),
                resource ?? canonicalResource);
            request.Headers.TryAddWithoutValidation("Authorization", $"OSS {accessKeyId}:{signature}");
        }

        afterSigning?.Invoke(request);

        return await ReadAsync(await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead));
    }

    /// <summary>A presigned GET URL (path and query) valid until <paramref name="expires"/>.</summary>
    public string PresignedGet(string bucket, string key, DateTimeOffset expires, string? signingSecret = null)
    {
        var seconds = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Signature(signingSecret ?? secret, "GET", "", "", seconds, new Dictionary<string, string>(), "/" + bucket + "/" + key);
        return PathOf(region, bucket, key) + $"?OSSAccessKeyId={Uri.EscapeDataString(accessKeyId)}&Expires={seconds}&Signature={Uri.EscapeDataString(signature)}";
    }

    public Task<OssResponse> PutBucketAsync(string bucket) => SendAsync(HttpMethod.Put, bucket);

    public Task<OssResponse> PutAsync(string bucket, string key, byte[] bytes, bool withMd5 = true)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (withMd5)
        {
            content.Headers.ContentMD5 = MD5.HashData(bytes);
        }

        return SendAsync(HttpMethod.Put, bucket, key, content);
    }

    public Task<OssResponse> GetAsync(string bucket, string key, string? range = null) =>
        SendAsync(HttpMethod.Get, bucket, key, beforeSigning: range is null ? null : r => r.Headers.TryAddWithoutValidation("Range", range));

    public static async Task<OssResponse> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            return new OssResponse(response.StatusCode, body, response.Headers, response.Content.Headers);
        }
    }

    private static string Signature(string secret, string verb, string md5, string contentType, string date, Dictionary<string, string> ossHeaders, string resource)
    {
        var text = new StringBuilder($"{verb}\n{md5}\n{contentType}\n{date}\n");
        foreach (var name in ossHeaders.Keys.Order(StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}:{ossHeaders[name].Trim()}\n");
        }

        text.Append(resource);
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(secret));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
