using Imago.Api.Rpc;
using Imago.Core.Errors;
using Imago.Core.Regions;

namespace Imago.Api.Actions.Regions;

/// <summary>
/// <c>AcceptLanguage</c> of DescribeRegions/DescribeZones: zh-CN (the API's default), en-US or ja; anything else is
/// InvalidAcceptLanguage.NotFound (404). Known regions get their Chinese names in zh-CN; other languages and
/// unknown regions use the catalog's English names.
/// </summary>
public static class AcceptLanguage
{
    public const string Chinese = "zh-CN";

    private static readonly string[] Supported = [Chinese, "en-US", "ja"];

    private static readonly Dictionary<string, string> ChineseRegionNames = new(StringComparer.Ordinal)
    {
        ["cn-hangzhou"] = "华东1（杭州）",
        ["cn-shanghai"] = "华东2（上海）",
        ["cn-beijing"] = "华北2（北京）",
        ["cn-shenzhen"] = "华南1（深圳）",
        ["cn-qingdao"] = "华北1（青岛）",
        ["cn-zhangjiakou"] = "华北3（张家口）",
        ["cn-hongkong"] = "中国香港",
        ["ap-southeast-1"] = "新加坡",
        ["us-west-1"] = "美国（硅谷）",
        ["us-east-1"] = "美国（弗吉尼亚）",
        ["eu-central-1"] = "德国（法兰克福）",
    };

    public static string Read(RpcParameters parameters)
    {
        var value = parameters.GetString("AcceptLanguage", 64);
        if (value is null)
        {
            return Chinese;
        }

        return Supported.FirstOrDefault(s => s.Equals(value, StringComparison.OrdinalIgnoreCase))
            ?? throw new EcsException("InvalidAcceptLanguage.NotFound", $"The specified AcceptLanguage \"{EcsErrors.Printable(value)}\" is not supported.", 404);
    }

    public static string RegionName(RegionInfo region, string language) =>
        language == Chinese && ChineseRegionNames.TryGetValue(region.RegionId, out var name) ? name : region.LocalName;

    /// <summary>"华东1（杭州） 可用区 H" in Chinese, the catalog's "China (Hangzhou) Zone H" otherwise.</summary>
    public static string ZoneName(RegionInfo region, ZoneInfo zone, string language) =>
        language == Chinese && ChineseRegionNames.TryGetValue(region.RegionId, out var name)
            ? $"{name} 可用区 {zone.ZoneId[(region.RegionId.Length + 1)..].ToUpperInvariant()}"
            : zone.LocalName;
}
