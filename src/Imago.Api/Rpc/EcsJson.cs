using System.Globalization;
using System.Text.Json.Nodes;

namespace Imago.Api.Rpc;

/// <summary>Helpers that shape response bodies as ECS does (wrapper objects, times, percentages).</summary>
public static class EcsJson
{
    /// <summary><c>{"Image":[...]}</c>: the wrapper object ECS puts around every collection.</summary>
    public static JsonObject Wrap(string itemName, IEnumerable<JsonNode?> items) => new() { [itemName] = new JsonArray([.. items]) };

    /// <summary><c>yyyy-MM-ddTHH:mm:ssZ</c>, UTC.</summary>
    public static string Time(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>"100%"</c></summary>
    public static string Percent(int progress) => progress.ToString(CultureInfo.InvariantCulture) + "%";

    /// <summary>Tags as responses list them: <c>{"Tag":[{"TagKey":..,"TagValue":..}]}</c>.</summary>
    public static JsonObject Tags(IEnumerable<KeyValuePair<string, string>> tags) =>
        Wrap("Tag", tags.Select(t => (JsonNode?)new JsonObject { ["TagKey"] = t.Key, ["TagValue"] = t.Value }));
}
