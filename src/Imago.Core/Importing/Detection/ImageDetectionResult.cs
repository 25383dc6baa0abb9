using System.Text.Json;

namespace Imago.Core.Importing.Detection;

/// <summary>
/// What the check records on the image: the items, and the attributes it fills in (null = leave as declared).
/// </summary>
public sealed record ImageDetectionResult(IReadOnlyList<DetectionItem> Items, string? Platform, string? OSName, string? OSNameEn)
{
    private static readonly JsonSerializerOptions Json = new();

    /// <summary>The items as stored in ImageEntity.DetectionItems: a JSON array of {Name, Value, RiskCode, RiskLevel}.</summary>
    public string ItemsJson => JsonSerializer.Serialize(Items, Json);

    public static IReadOnlyList<DetectionItem> ParseItems(string json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<DetectionItem>>(json, Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
