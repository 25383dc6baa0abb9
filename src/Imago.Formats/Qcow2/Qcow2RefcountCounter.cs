namespace Imago.Formats.Qcow2;

/// <summary>
/// Refcounts of the host clusters a writer has used so far, 16 bits each (the width the writer stores).
/// Two bytes per host cluster: 128 KiB for 4 GiB of 64 KiB clusters.
/// </summary>
internal sealed class Qcow2RefcountCounter
{
    public const int Max = ushort.MaxValue;

    private ushort[] _counts = new ushort[1024];

    /// <summary>Number of host clusters tracked (one past the highest cluster incremented).</summary>
    public long Count { get; private set; }

    public int this[long cluster] => cluster < Count ? _counts[cluster] : 0;

    public void Increment(long cluster)
    {
        if (cluster >= _counts.Length)
        {
            var size = _counts.Length;
            while (size <= cluster)
            {
                size = checked(size * 2);
            }

            Array.Resize(ref _counts, size);
        }

        if (_counts[cluster] == Max)
        {
            throw new InvalidOperationException("qcow2 refcount overflow");
        }

        _counts[cluster]++;
        Count = Math.Max(Count, cluster + 1);
    }
}
