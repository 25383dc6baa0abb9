namespace Imago.Core.Compute;

/// <summary>The disk categories RunInstances accepts, and the size range ECS allows for a data disk of each.</summary>
public static class DiskCategories
{
    public const string SystemDefault = "cloud_essd";

    public const string DataDefault = "cloud_efficiency";

    /// <summary>Largest system disk (GiB): ESSD's documented maximum.</summary>
    public const int MaxSystemDiskGiB = 2048;

    /// <summary>Smallest system disk (GiB) a caller may ask for; an image may still be smaller and then defaults to this.</summary>
    public const int MinSystemDiskGiB = 20;

    private static readonly Dictionary<string, (int Min, int Max)> DataSizes = new(StringComparer.Ordinal)
    {
        ["cloud"] = (5, 2000),
        ["cloud_efficiency"] = (20, 32768),
        ["cloud_ssd"] = (20, 32768),
        ["cloud_essd"] = (20, 65536),
        ["cloud_auto"] = (1, 65536),
        ["cloud_essd_entry"] = (10, 32768),
    };

    public static IReadOnlyCollection<string> All => DataSizes.Keys;

    public static bool IsValid(string category) => DataSizes.ContainsKey(category);

    /// <summary>The size range of an empty data disk of <paramref name="category"/> (a valid category).</summary>
    public static (int Min, int Max) DataDiskSizeRange(string category) => DataSizes[category];

    /// <summary>GiB to bytes.</summary>
    public static long Bytes(int sizeGiB) => (long)sizeGiB << 30;

    /// <summary>Bytes to whole GiB, rounded up.</summary>
    public static int GiB(long bytes) => checked((int)((bytes + (1L << 30) - 1) >> 30));

    /// <summary><c>/dev/xvda</c> for index 0 (the system disk), <c>/dev/xvdb</c> for 1, ...</summary>
    public static string Device(int index) => "/dev/xvd" + (char)('a' + index);
}
