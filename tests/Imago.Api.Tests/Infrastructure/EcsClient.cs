using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Imago.Api.Tests.Infrastructure;

/// <summary>How <see cref="EcsClient"/> sends and signs a call, mirroring the official SDKs.</summary>
public enum SignatureStyle
{
    /// <summary>pop-core's default: V1 HMAC-SHA1, GET, everything in the query string.</summary>
    V1Get,

    /// <summary>pop-core with <c>method: 'POST'</c>: V1, everything in a form-urlencoded body.</summary>
    V1Post,

    /// <summary>Go V1 SDK style: V1, POST, common parameters in the query, API parameters in the form body.</summary>
    V1PostSplit,

    /// <summary>@alicloud/ecs20140526: V3 ACS3-HMAC-SHA256, POST, API parameters in the query, empty body.</summary>
    V3,
}

/// <summary>Theory data for tests that must hold in every signing style.</summary>
public static class SignatureStyles
{
    public static TheoryData<SignatureStyle> All => new(Enum.GetValues<SignatureStyle>());
}

/// <summary>Ways to bend a call, for the protocol's error tests. Null fields mean "as a correct client would".</summary>
public sealed record EcsCallOptions
{
    /// <summary>Sign with this secret instead of the client's.</summary>
    public string? SigningSecret { get; init; }

    /// <summary>The signed time (V1 Timestamp, V3 x-acs-date); default now.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>The signature nonce; default a fresh one.</summary>
    public string? Nonce { get; init; }

    public string Version { get; init; } = "2014-05-26";

    /// <summary>Protocol parameters (V1) or headers (V3) not to send; "Signature"/"Authorization" drops the signature.</summary>
    public IReadOnlyCollection<string> Omit { get; init; } = [];

    /// <summary>Protocol parameters (V1) or headers (V3) to add or replace before signing, e.g. SignatureMethod.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>Called on the signed request before it is sent: change it to test that the signature covers it.</summary>
    public Action<HttpRequestMessage>? AfterSigning { get; init; }
}

/// <summary>A parsed answer: status, the JSON object (or XML document) and headers.</summary>
public sealed record EcsResponse(HttpStatusCode Status, string Body, string? ContentType, JsonObject? Json, XDocument? Xml, HttpResponseHeaders Headers)
{
    public string? Code => Json?["Code"]?.GetValue<string>() ?? Xml?.Root?.Element("Code")?.Value;

    public string? Message => Json?["Message"]?.GetValue<string>() ?? Xml?.Root?.Element("Message")?.Value;

    public string? RequestId => Json?["RequestId"]?.GetValue<string>() ?? Xml?.Root?.Element("RequestId")?.Value;

    /// <summary>The JSON body of a 200 answer; otherwise an exception that shows the error body.</summary>
    public JsonObject EnsureSuccess() =>
        Status == HttpStatusCode.OK && Json is not null ? Json : throw new InvalidOperationException($"expected 200 with JSON, got {(int)Status}: {Body}");

    /// <summary>Asserts the documented error: code and HTTP status.</summary>
    public EcsResponse AssertError(string code, int status)
    {
        if (Code != code || (int)Status != status)
        {
            throw new InvalidOperationException($"expected {code} ({status}), got {(int)Status}: {Body}");
        }

        return this;
    }
}

/// <summary>
/// A small signing client for the API tests. Its signing code is written independently of the server's
/// (Uri.EscapeDataString, its own canonical forms) so a bug shared by both sides cannot pass unnoticed.
/// </summary>
public sealed class EcsClient(HttpClient http, string accessKeyId, string accessKeySecret)
{
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public HttpClient Http => http;

    public string AccessKeyId => accessKeyId;

    public string AccessKeySecret => accessKeySecret;

    /// <summary>The same server, another key (another account, or a disabled key).</summary>
    public EcsClient WithKey(string otherAccessKeyId, string otherSecret) => new(http, otherAccessKeyId, otherSecret);

    /// <summary>Calls an action and returns whatever came back (no status check: see <see cref="EcsResponse.EnsureSuccess"/>).</summary>
    public async Task<EcsResponse> CallAsync(
        string action,
        IReadOnlyDictionary<string, string>? parameters = null,
        SignatureStyle style = SignatureStyle.V3,
        string? format = null,
        EcsCallOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new EcsCallOptions();
        var apiParameters = new List<KeyValuePair<string, string>>(parameters ?? new Dictionary<string, string>());
        if (format is not null)
        {
            apiParameters.Add(new("Format", format));
        }

        using var request = style == SignatureStyle.V3
            ? BuildV3(action, apiParameters, options)
            : BuildV1(action, apiParameters, style, options);
        options.AfterSigning?.Invoke(request);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // The raw header, read before anything parses it: the SDKs compare the exact text (ecs-api.md 5.2).
        var contentType = response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var raw) ? raw.ToString() : null;
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonObject? json = null;
        XDocument? xml = null;
        if (contentType?.StartsWith("text/xml", StringComparison.Ordinal) == true)
        {
            xml = XDocument.Parse(body);
        }
        else if (body.StartsWith('{'))
        {
            json = JsonNode.Parse(body)?.AsObject();
        }

        return new EcsResponse(response.StatusCode, body, contentType, json, xml, response.Headers);
    }

    /// <summary>Calls and returns the JSON body of a 200 answer (throws with the error body otherwise).</summary>
    public async Task<JsonObject> CallOkAsync(string action, IReadOnlyDictionary<string, string>? parameters = null,
        SignatureStyle style = SignatureStyle.V3, CancellationToken cancellationToken = default) =>
        (await CallAsync(action, parameters, style, null, null, cancellationToken).ConfigureAwait(false)).EnsureSuccess();

    private HttpRequestMessage BuildV1(string action, List<KeyValuePair<string, string>> apiParameters, SignatureStyle style, EcsCallOptions options)
    {
        var common = new Dictionary<string, string>
        {
            ["Action"] = action,
            ["Version"] = options.Version,
            ["AccessKeyId"] = accessKeyId,
            ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureVersion"] = "1.0",
            ["SignatureNonce"] = options.Nonce ?? Guid.NewGuid().ToString(),
            ["Timestamp"] = (options.Time ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        if (!apiParameters.Any(p => p.Key == "Format"))
        {
            common["Format"] = "JSON";
        }

        foreach (var (name, value) in options.Extra)
        {
            common[name] = value;
        }

        foreach (var name in options.Omit)
        {
            common.Remove(name);
        }

        var all = common.Concat(apiParameters).ToList();
        var method = style == SignatureStyle.V1Get ? "GET" : "POST";
        // Sorted by name, as pop-core sorts its keys: sorting whole "name=value" pairs puts X.10 before X.1 ('=' > '0').
        var canonical = string.Join("&", all.OrderBy(p => Escape(p.Key), StringComparer.Ordinal).Select(p => Escape(p.Key) + "=" + Escape(p.Value)));
        var stringToSign = method + "&" + Escape("/") + "&" + Escape(canonical);
        var key = Encoding.UTF8.GetBytes((options.SigningSecret ?? accessKeySecret) + "&");
        var signature = Convert.ToBase64String(HMACSHA1.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        if (!options.Omit.Contains("Signature"))
        {
            common["Signature"] = signature;
        }

        var (inQuery, inBody) = style switch
        {
            SignatureStyle.V1Get => (common.Concat(apiParameters), Enumerable.Empty<KeyValuePair<string, string>>()),
            SignatureStyle.V1Post => (Enumerable.Empty<KeyValuePair<string, string>>(), common.Concat(apiParameters)),
            _ => (common, apiParameters),
        };
        var request = new HttpRequestMessage(new HttpMethod(method), "/" + QueryString(inQuery));
        if (method == "POST")
        {
            request.Content = new StringContent(Encode(inBody), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "UTF-8" };
        }

        return request;
    }

    private HttpRequestMessage BuildV3(string action, List<KeyValuePair<string, string>> query, EcsCallOptions options)
    {
        var host = http.BaseAddress?.Authority ?? throw new InvalidOperationException("the HttpClient needs a BaseAddress");
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = host,
            ["x-acs-action"] = action,
            ["x-acs-version"] = options.Version,
            ["x-acs-date"] = (options.Time ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["x-acs-signature-nonce"] = options.Nonce ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["x-acs-content-sha256"] = EmptySha256,
        };
        foreach (var (name, value) in options.Extra)
        {
            headers[name.ToLowerInvariant()] = value;
        }

        foreach (var name in options.Omit)
        {
            headers.Remove(name.ToLowerInvariant());
        }

        var canonicalQuery = string.Join("&", query.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + Escape(p.Value)));
        var canonicalHeaders = string.Concat(headers.Select(h => h.Key + ":" + h.Value.Trim() + "\n"));
        var signedHeaders = string.Join(";", headers.Keys);
        var canonicalRequest = "POST\n/\n" + canonicalQuery + "\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + headers.GetValueOrDefault("x-acs-content-sha256", EmptySha256);
        var stringToSign = "ACS3-HMAC-SHA256\n" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.SigningSecret ?? accessKeySecret), Encoding.UTF8.GetBytes(stringToSign)));

        var request = new HttpRequestMessage(HttpMethod.Post, "/" + QueryString(query));
        foreach (var (name, value) in headers.Where(h => h.Key != "host"))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (headers.TryGetValue("host", out var hostHeader) && hostHeader != host)
        {
            request.Headers.Host = hostHeader;
        }

        request.Headers.Accept.ParseAdd("application/json");
        if (!options.Omit.Contains("Authorization"))
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"ACS3-HMAC-SHA256 Credential={accessKeyId},SignedHeaders={signedHeaders},Signature={signature}");
        }

        return request;
    }

    /// <summary>RFC 3986: .NET's EscapeDataString keeps exactly the unreserved set and writes upper-case hex.</summary>
    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static string Encode(IEnumerable<KeyValuePair<string, string>> pairs) => string.Join("&", pairs.Select(p => Escape(p.Key) + "=" + Escape(p.Value)));

    private static string QueryString(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var text = Encode(pairs);
        return text.Length == 0 ? "" : "?" + text;
    }
}
