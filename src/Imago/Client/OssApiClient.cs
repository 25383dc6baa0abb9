using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Xml.Linq;
using Imago.Api.Objects;
using Imago.Cli;

namespace Imago.Client;

/// <summary>
/// The object API (<c>/oss/{region}/{bucket}/{key}</c>) as the client commands use it: make sure a bucket exists,
/// upload a file streamed from disk, download an object to a file atomically. Requests are signed with OSS V1
/// by the service's own <see cref="OssSignature"/>.
/// </summary>
public sealed class OssApiClient(HttpClient http, ClientSettings settings)
{
    private const int BufferBytes = StreamCopy.BufferBytes;

    /// <summary>The bucket, made (owned by the caller) when it does not exist yet.</summary>
    public async Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        using var head = await SendAsync(HttpMethod.Head, bucket, null, null, cancellationToken).ConfigureAwait(false);
        if (head.StatusCode == HttpStatusCode.OK)
        {
            return;
        }

        if (head.StatusCode != HttpStatusCode.NotFound)
        {
            throw await FailureAsync("bucket " + bucket, head, cancellationToken).ConfigureAwait(false);
        }

        using var put = await SendAsync(HttpMethod.Put, bucket, null, null, cancellationToken).ConfigureAwait(false);
        if (put.StatusCode != HttpStatusCode.OK)
        {
            throw await FailureAsync("bucket " + bucket, put, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Uploads <paramref name="file"/> as <paramref name="key"/>, streamed, with Content-MD5 computed first (one read of the file).</summary>
    public async Task PutFileAsync(string bucket, string key, string file, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var md5 = await Md5Async(file, cancellationToken).ConfigureAwait(false);
        var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            using var content = new ProgressContent(stream, progress);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = stream.Length;
            content.Headers.ContentMD5 = md5;
            using var response = await SendAsync(HttpMethod.Put, bucket, key, content, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw await FailureAsync($"upload of {key}", response, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Downloads the object to <paramref name="file"/>: FILE.tmp-XXXXXXXX, fsync, rename, so FILE is never half-written.</summary>
    public async Task<long> GetFileAsync(string bucket, string key, string file, Action<long>? started, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, bucket, key, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await FailureAsync($"download of {key}", response, cancellationToken).ConfigureAwait(false);
        }

        var total = response.Content.Headers.ContentLength ?? 0;
        started?.Invoke(total);
        var temporary = $"{file}.tmp-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferBytes, useAsync: true);
            long done;
            await using (target.ConfigureAwait(false))
            {
                done = await StreamCopy.CopyAsync(source, target, progress, cancellationToken).ConfigureAwait(false);
                target.Flush(flushToDisk: true);
            }

            if (done != total)
            {
                throw new ClientException($"download of {key}: the connection ended after {done} of {total} bytes");
            }

            File.Move(temporary, file, overwrite: true);
            return done;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string bucket, string? key, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(settings.Endpoint, ObjectPath.Format(settings.Region, bucket, key))) { Content = content };
        var date = DateTimeOffset.UtcNow;
        request.Headers.Date = date;
        var md5 = content?.Headers.ContentMD5 is { } hash ? Convert.ToBase64String(hash) : null;
        var stringToSign = OssSignature.StringToSign(method.Method, md5, content?.Headers.ContentType?.ToString(),
            date.ToString("r", CultureInfo.InvariantCulture), [], OssSignature.Resource(bucket, key));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{OssSignature.Scheme} {settings.AccessKeyId}:{OssSignature.Sign(settings.AccessKeySecret, stringToSign)}");
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>"what: Code: Message" from the OSS error body (or the x-oss-ec header of a HEAD).</summary>
    private static async Task<ClientException> FailureAsync(string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var code = response.Headers.TryGetValues("x-oss-ec", out var codes) ? codes.First() : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        var message = "";
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (body.StartsWith("<?xml", StringComparison.Ordinal))
        {
            try
            {
                var error = XDocument.Parse(body).Root;
                code = error?.Element("Code")?.Value ?? code;
                message = error?.Element("Message")?.Value ?? "";
            }
            catch (System.Xml.XmlException)
            {
                // Not OSS's error document: the status says enough.
            }
        }

        return new ClientException($"{what}: {code}{(message.Length > 0 ? ": " + message : "")}");
    }

    private static async Task<byte[]> Md5Async(string file, CancellationToken cancellationToken)
    {
        var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            return await System.Security.Cryptography.MD5.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A file's bytes as a request body, reporting how many have been sent.</summary>
    private sealed class ProgressContent(Stream source, IProgress<long>? progress) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken) =>
            StreamCopy.CopyAsync(source, stream, progress, cancellationToken);

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = source.Length;
            return true;
        }
    }
}
