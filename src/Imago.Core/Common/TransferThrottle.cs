namespace Imago.Core.Common;

/// <summary>
/// The operator's cap on background transfer bandwidth (<c>imago serve --transfer-rate MIB_PER_S</c>): every byte a
/// copy sends and an import reads passes through one shared bucket, so long transfers cannot starve the disks that
/// instances use. Async and fair in arrival order: each caller reserves its bytes on a virtual timeline (the
/// "theoretical arrival time" of a generic cell rate algorithm) and waits until its reservation is due, so
/// concurrent transfers share the rate rather than race for it. A rate of 0 means unlimited (no waiting at all).
/// </summary>
public sealed class TransferThrottle
{
    /// <summary>How far ahead of the rate a transfer may run after an idle period (a small burst, not a backlog).</summary>
    private static readonly TimeSpan Burst = TimeSpan.FromMilliseconds(100);

    private readonly long _bytesPerSecond;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long _dueTicks;

    /// <param name="bytesPerSecond">The rate; 0 or less: unlimited.</param>
    public TransferThrottle(long bytesPerSecond, TimeProvider time)
    {
        _bytesPerSecond = Math.Max(0, bytesPerSecond);
        _time = time;
    }

    /// <summary>No limit: passes everything at once.</summary>
    public static TransferThrottle Unlimited(TimeProvider time) => new(0, time);

    /// <summary>A limit of <paramref name="mebibytesPerSecond"/> MiB/s (0: unlimited).</summary>
    public static TransferThrottle FromMiBPerSecond(double mebibytesPerSecond, TimeProvider time) =>
        new((long)Math.Round(mebibytesPerSecond * 1024 * 1024), time);

    public bool IsLimited => _bytesPerSecond > 0;

    /// <summary>Waits until <paramref name="bytes"/> more may pass.</summary>
    public Task WaitAsync(long bytes, CancellationToken cancellationToken)
    {
        if (!IsLimited || bytes <= 0)
        {
            return Task.CompletedTask;
        }

        var now = _time.GetUtcNow().UtcTicks;
        var cost = (long)Math.Ceiling(bytes * (double)TimeSpan.TicksPerSecond / _bytesPerSecond);
        long due;
        lock (_gate)
        {
            // An idle bucket banks nothing: the timeline restarts at now, and only the burst is allowed ahead of it.
            _dueTicks = Math.Max(_dueTicks, now) + cost;
            due = _dueTicks;
        }

        var wait = TimeSpan.FromTicks(due - now - Burst.Ticks);
        return wait > TimeSpan.Zero ? Task.Delay(wait, _time, cancellationToken) : Task.CompletedTask;
    }
}
