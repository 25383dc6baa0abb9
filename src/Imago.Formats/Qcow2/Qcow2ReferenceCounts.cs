namespace Imago.Formats.Qcow2;

/// <summary>
/// References to each host cluster of the file, counted from the metadata by the checker.
/// Two bytes per cluster, with the rare counts above 65534 kept aside, so a 4 GiB file of 64 KiB
/// clusters costs 128 KiB.
/// </summary>
internal sealed class Qcow2ReferenceCounts(long clusters)
{
    /// <summary>Files with more clusters than this are not checked (64 MiB of counters).</summary>
    public const long MaxClusters = 1L << 25;

    private readonly ushort[] _counts = new ushort[clusters];
    private readonly Dictionary<long, ulong> _large = [];

    public long Clusters => _counts.Length;

    public ulong this[long cluster] => _counts[cluster] == ushort.MaxValue ? _large[cluster] : _counts[cluster];

    public void Add(long cluster, ulong amount)
    {
        var value = this[cluster] + amount;
        if (value >= ushort.MaxValue)
        {
            _counts[cluster] = ushort.MaxValue;
            _large[cluster] = value;
        }
        else
        {
            _counts[cluster] = (ushort)value;
        }
    }
}
