using Imago.Storage.Replication;

namespace Imago.Core.Copying;

/// <summary>
/// How far a copy is, per disk and overall: chunks examined (sent or skipped) against each disk's total (its
/// distinct data chunks and map pages in the source store), and the time left from the rate observed in this run.
/// Disks are copied in turn, so a disk's remaining time includes the disks before it.
/// </summary>
internal sealed class CopyProgressTracker
{
    private readonly long[] _totals;
    private readonly long[] _examined;
    private readonly TimeProvider _time;
    private readonly long _started;
    private long _examinedThisRun;

    public CopyProgressTracker(IReadOnlyList<long> totals, TimeProvider time)
    {
        _totals = [.. totals.Select(t => Math.Max(1, t))];
        _examined = new long[_totals.Length];
        _time = time;
        _started = time.GetTimestamp();
    }

    /// <summary>The replicator's reports for disk <paramref name="position"/>.</summary>
    public IProgress<ReplicationProgress> For(int position) => new DiskProgress(this, position);

    /// <summary>The disk's bytes are all in the destination (however few chunks it had to examine).</summary>
    public void Complete(int position) => Record(position, _totals[position]);

    /// <summary>0-99 per disk (100 only once committed).</summary>
    public int DiskPercent(int position) => Percent(Volatile.Read(ref _examined[position]), _totals[position]);

    /// <summary>0-99 for the whole copy.</summary>
    public int OverallPercent() => Percent(Enumerable.Range(0, _totals.Length).Sum(i => Volatile.Read(ref _examined[i])), _totals.Sum());

    /// <summary>Seconds until disk <paramref name="position"/> is done at the rate seen so far; 0 before any rate is known.</summary>
    public int RemainSeconds(int position)
    {
        var elapsed = _time.GetElapsedTime(_started).TotalSeconds;
        var done = Interlocked.Read(ref _examinedThisRun);
        if (done == 0 || elapsed <= 0)
        {
            return 0;
        }

        var left = Enumerable.Range(0, position + 1).Sum(i => Math.Max(0, _totals[i] - Volatile.Read(ref _examined[i])));
        return (int)Math.Min(int.MaxValue, Math.Ceiling(left / (done / elapsed)));
    }

    private static int Percent(long examined, long total) => (int)Math.Clamp(examined * 99 / Math.Max(1, total), 0, 99);

    /// <summary>Only ever moves forward (the replicator reports from parallel sends, not necessarily in order).</summary>
    private void Record(int position, long examined)
    {
        var value = Math.Min(examined, _totals[position]);
        long before;
        do
        {
            before = Volatile.Read(ref _examined[position]);
            if (value <= before)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _examined[position], value, before) != before);

        Interlocked.Add(ref _examinedThisRun, value - before);
    }

    private sealed class DiskProgress(CopyProgressTracker tracker, int position) : IProgress<ReplicationProgress>
    {
        public void Report(ReplicationProgress value) => tracker.Record(position, value.ChunksExamined);
    }
}
