namespace Imago.Core.Regions;

/// <summary>A region as DescribeRegions lists it, with its zones.</summary>
public sealed record RegionInfo(string RegionId, string LocalName, string RegionEndpoint, IReadOnlyList<ZoneInfo> Zones);

/// <summary>A zone as DescribeZones lists it.</summary>
public sealed record ZoneInfo(string ZoneId, string LocalName);
