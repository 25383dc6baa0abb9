using Imago.Core.Common;

namespace Imago.Core.Tests.Common;

/// <summary>The transfer throttle on a manual clock: the waits it asks for add up to the rate, and 0 means no waiting.</summary>
public sealed class TransferThrottleTests
{
    private const int Chunk = 256 * 1024;

    [Fact]
    public async Task WaitsAddUpToTheRateLessTheBurst()
    {
        var clock = new ManualClock(advance: true);
        var throttle = TransferThrottle.FromMiBPerSecond(1, clock);
        for (var i = 0; i < 40; i++) // 10 MiB at 1 MiB/s
        {
            await throttle.WaitAsync(Chunk, CancellationToken.None);
        }

        // 10 s of transfer, of which the first 100 ms pass as a burst.
        Assert.InRange(clock.Waited, TimeSpan.FromSeconds(9.89), TimeSpan.FromSeconds(9.91));
    }

    [Fact]
    public async Task ConcurrentTransfersShareTheRate()
    {
        var clock = new ManualClock(advance: false);
        var throttle = TransferThrottle.FromMiBPerSecond(2, clock);
        // Two transfers reserve 4 MiB each at the same instant: the later reservations wait behind the earlier ones.
        var waits = Enumerable.Range(0, 32).Select(_ => throttle.WaitAsync(Chunk, CancellationToken.None)).ToList();
        await Task.WhenAll(waits);
        Assert.InRange(clock.Longest, TimeSpan.FromSeconds(3.89), TimeSpan.FromSeconds(3.91));
    }

    [Fact]
    public async Task ZeroIsUnlimited()
    {
        var clock = new ManualClock(advance: true);
        var throttle = TransferThrottle.FromMiBPerSecond(0, clock);
        Assert.False(throttle.IsLimited);
        for (var i = 0; i < 1000; i++)
        {
            await throttle.WaitAsync(Chunk, CancellationToken.None);
        }

        Assert.Equal(TimeSpan.Zero, clock.Waited);
    }

    [Fact]
    public async Task AWaitIsCancellable()
    {
        var throttle = TransferThrottle.FromMiBPerSecond(0.001, TimeProvider.System); // ~4 minutes for one chunk
        using var cancel = new CancellationTokenSource();
        var wait = throttle.WaitAsync(Chunk, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    /// <summary>
    /// A clock that does not wait: a timer fires at once (moving the clock to its due time when
    /// <paramref name="advance"/>, as a sequential waiter sees it), and the waits asked for are recorded exactly.
    /// </summary>
    private sealed class ManualClock(bool advance) : TimeProvider
    {
        private readonly Lock _gate = new();
        private readonly DateTimeOffset _start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private TimeSpan _now;

        public TimeSpan Waited { get; private set; }

        public TimeSpan Longest { get; private set; }

        public override DateTimeOffset GetUtcNow()
        {
            lock (_gate)
            {
                return _start + _now;
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                Waited += dueTime;
                Longest = dueTime > Longest ? dueTime : Longest;
                _now += advance ? dueTime : TimeSpan.Zero;
            }

            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new FiredTimer();
        }

        private sealed class FiredTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
