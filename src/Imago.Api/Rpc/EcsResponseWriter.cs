using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using Microsoft.AspNetCore.Http;

namespace Imago.Api.Rpc;

/// <summary>Writes a response body as JSON or XML with the exact content types the SDKs check (ecs-api.md 5.2).</summary>
public static class EcsResponseWriter
{
    public const string JsonContentType = "application/json;charset=utf-8";

    /// <summary>The TypeScript SDK parses XML only when the content type is exactly this.</summary>
    public const string XmlContentType = "text/xml;charset=utf-8";

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly XmlWriterSettings XmlSettings = new() { Encoding = new UTF8Encoding(false), Async = true };

    /// <param name="rootName">The XML root: <c>{Action}Response</c>, or <c>Error</c>.</param>
    public static async Task WriteAsync(HttpResponse response, int status, JsonObject body, ResponseFormat format, string rootName, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        if (format == ResponseFormat.Xml)
        {
            response.ContentType = XmlContentType;
            var document = EcsXml.ToDocument(rootName, body);
            using var buffer = new MemoryStream();
            await using (var writer = XmlWriter.Create(buffer, XmlSettings))
            {
                await document.SaveAsync(writer, cancellationToken).ConfigureAwait(false);
            }

            await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
            return;
        }

        response.ContentType = JsonContentType;
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(body.ToJsonString(JsonOptions)), cancellationToken).ConfigureAwait(false);
    }
}
