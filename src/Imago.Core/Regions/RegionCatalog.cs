using System.Text.RegularExpressions;

namespace Imago.Core.Regions;

/// <summary>
/// The regions this service runs (<c>imago serve --regions</c>). Known Alibaba Cloud region ids get their real
/// names and zones; any other id that looks like a region id is accepted with generic ones.
/// </summary>
public sealed partial class RegionCatalog
{
    public static readonly IReadOnlyList<string> DefaultRegionIds = ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"];

    private static readonly Dictionary<string, (string Name, string[] ZoneLetters)> Known = new(StringComparer.Ordinal)
    {
        ["cn-hangzhou"] = ("China (Hangzhou)", ["h", "i", "j", "k"]),
        ["cn-shanghai"] = ("China (Shanghai)", ["e", "f", "g", "l"]),
        ["cn-beijing"] = ("China (Beijing)", ["f", "g", "h", "i"]),
        ["cn-shenzhen"] = ("China (Shenzhen)", ["d", "e", "f"]),
        ["cn-qingdao"] = ("China (Qingdao)", ["b", "c"]),
        ["cn-zhangjiakou"] = ("China (Zhangjiakou)", ["a", "b", "c"]),
        ["cn-hongkong"] = ("China (Hong Kong)", ["b", "c", "d"]),
        ["ap-southeast-1"] = ("Singapore", ["a", "b", "c"]),
        ["us-west-1"] = ("US (Silicon Valley)", ["a", "b"]),
        ["us-east-1"] = ("US (Virginia)", ["a", "b"]),
        ["eu-central-1"] = ("Germany (Frankfurt)", ["a", "b", "c"]),
    };

    private readonly Dictionary<string, RegionInfo> _regions;

    public RegionCatalog(IEnumerable<string> regionIds)
    {
        _regions = new Dictionary<string, RegionInfo>(StringComparer.Ordinal);
        foreach (var id in regionIds)
        {
            if (!IsRegionId(id))
            {
                throw new ArgumentException($"'{id}' is not a region id (lower-case letters, digits and dashes, like cn-hangzhou)");
            }

            var (name, letters) = Known.TryGetValue(id, out var known) ? known : (id, new[] { "a", "b" });
            var zones = letters.Select(l => new ZoneInfo($"{id}-{l}", $"{name} Zone {l.ToUpperInvariant()}")).ToArray();
            _regions[id] = new RegionInfo(id, name, $"ecs.{id}.aliyuncs.com", zones);
        }

        if (_regions.Count == 0)
        {
            throw new ArgumentException("at least one region is needed");
        }
    }

    public IReadOnlyCollection<RegionInfo> All => _regions.Values;

    public IEnumerable<string> RegionIds => _regions.Keys;

    public bool Contains(string regionId) => _regions.ContainsKey(regionId);

    public RegionInfo? Find(string regionId) => _regions.GetValueOrDefault(regionId);

    /// <summary>The region, or the documented InvalidRegionId.NotFound.</summary>
    public RegionInfo Require(string regionId) => _regions.GetValueOrDefault(regionId) ?? throw Errors.EcsErrors.InvalidRegion(regionId);

    /// <summary>Whether <paramref name="id"/> looks like a region id (safe as a directory name).</summary>
    public static bool IsRegionId(string id) => RegionIdPattern().IsMatch(id);

    [GeneratedRegex("^[a-z]{2,}(-[a-z0-9]+){1,3}$")]
    private static partial Regex RegionIdPattern();
}
