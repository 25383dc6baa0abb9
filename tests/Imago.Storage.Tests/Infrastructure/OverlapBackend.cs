using Imago.Storage.Chunks;

namespace Imago.Storage.Tests.Infrastructure;

/// <summary>
/// Counts chunk reads in flight at once. While armed, each read waits until a second one is in flight, so reads
/// that can overlap are made to overlap; serialised reads cannot, and give up after one safety bound (the count
/// then stays 1, which the test asserts on: no timing is asserted).
/// </summary>
public sealed class OverlapBackend(IChunkBackend inner) : IChunkBackend
{
    private static readonly TimeSpan SafetyBound = TimeSpan.FromSeconds(10);
    private readonly TaskCompletionSource _second = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _maxInFlight;
    private volatile bool _armed;

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public void Arm() => _armed = true;

    public async ValueTask<byte[]?> GetAsync(ChunkHash hash, CancellationToken cancellationToken = default)
    {
        var now = Interlocked.Increment(ref _inFlight);
        try
        {
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }

            if (_armed)
            {
                if (now >= 2)
                {
                    _second.TrySetResult();
                }

                await Task.WhenAny(_second.Task, Task.Delay(SafetyBound, cancellationToken)).ConfigureAwait(false);
                _second.TrySetResult(); // after one timeout the rest pass straight through: a failing run stays short
            }

            return await inner.GetAsync(hash, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public ValueTask<bool> ContainsAsync(ChunkHash hash, CancellationToken cancellationToken = default) => inner.ContainsAsync(hash, cancellationToken);

    public ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => inner.PutAsync(hash, data, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public ValueTask DeleteAsync(ChunkHash hash, CancellationToken cancellationToken = default) => inner.DeleteAsync(hash, cancellationToken);

    public IAsyncEnumerable<ChunkHash> EnumerateAsync(CancellationToken cancellationToken = default) => inner.EnumerateAsync(cancellationToken);
}
