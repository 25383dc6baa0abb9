using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Imago.Api.Signatures;

namespace Imago.Client;

/// <summary>
/// Calls ECS actions as the SDKs do: V1 (HMAC-SHA1) signed POST with the parameters in a form body, signed with
/// the service's own canonicalisation (<see cref="SignatureV1"/>). An error answer becomes a
/// <see cref="ClientException"/> naming the action, the ECS code and its message.
/// </summary>
public sealed class EcsApiClient(HttpClient http, ClientSettings settings)
{
    public const string ApiVersion = "2014-05-26";

    public async Task<JsonObject> CallAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Action"] = action,
            ["Version"] = ApiVersion,
            ["Format"] = "JSON",
            ["AccessKeyId"] = settings.AccessKeyId,
            ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureVersion"] = "1.0",
            ["SignatureNonce"] = Guid.NewGuid().ToString("N"),
            ["Timestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in parameters)
        {
            all[name] = value;
        }

        all[SignatureV1.SignatureParameter] = SignatureV1.Sign(settings.AccessKeySecret, SignatureV1.StringToSign("POST", all));
        var body = string.Join("&", all.Select(p => PercentEncoding.Encode(p.Key) + "=" + PercentEncoding.Encode(p.Value)));
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await http.PostAsync(new Uri(settings.Endpoint, "/"), content, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            json = null;
        }

        if (json is null)
        {
            throw new ClientException($"{action}: the service answered HTTP {(int)response.StatusCode} without an ECS body");
        }

        if (!response.IsSuccessStatusCode || json["Code"] is not null)
        {
            throw new ClientException($"{action}: {Text(json, "Code") ?? ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}: {Text(json, "Message")}");
        }

        return json;
    }

    public static string? Text(JsonNode? node, string field) =>
        node?[field] is JsonValue value ? value.ToString() : null;

    /// <summary>"45%" → 45; anything else 0.</summary>
    public static double Percent(string? text) =>
        text is not null && double.TryParse(text.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? Math.Clamp(value, 0, 100) : 0;
}
