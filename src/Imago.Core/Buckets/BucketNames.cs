using System.Text.RegularExpressions;
using Imago.Core.Regions;

namespace Imago.Core.Buckets;

/// <summary>OSS's bucket naming rule, and the region check every bucket operation starts with.</summary>
public static partial class BucketNames
{
    /// <summary>3-63 characters from [a-z0-9-], starting and ending with a letter or digit (OSS): never a path.</summary>
    public static bool IsValid(string name) => BucketNamePattern().IsMatch(name);

    public static void Require(string region, string bucket)
    {
        if (!RegionCatalog.IsRegionId(region))
        {
            throw BucketException.InvalidRegion(region);
        }

        if (!IsValid(bucket))
        {
            throw BucketException.InvalidBucketName(bucket);
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketNamePattern();
}
