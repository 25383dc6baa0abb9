namespace Imago.Core.Tests.Exporting;

/// <summary>
/// A clock whose timers fire at once but remember how long they were asked to wait: a throttle built on it never
/// slows a test, yet shows how far it would have held the transfer back: a throttle's waits reach ever further ahead
/// when nothing waits, so the longest one requested is about the whole transfer's time at the rate.
/// </summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private long _longestTicks;

    public TimeSpan LongestRequestedDelay => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        long longest;
        while (dueTime.Ticks > (longest = Interlocked.Read(ref _longestTicks))
            && Interlocked.CompareExchange(ref _longestTicks, dueTime.Ticks, longest) != longest)
        {
        }

        return System.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }
}
