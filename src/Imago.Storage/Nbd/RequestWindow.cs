namespace Imago.Storage.Nbd;

/// <summary>
/// Bounds the requests one connection processes concurrently, by count and by buffered payload bytes.
/// Only the connection's reader enters (so there is a single waiter); request tasks leave from any thread.
/// A request larger than the byte budget still runs, but alone.
/// </summary>
internal sealed class RequestWindow(int maxRequests, long maxBytes)
{
    private readonly Lock _gate = new();
    private int _requests;
    private long _bytes;
    private TaskCompletionSource _released = NewSignal();

    public async ValueTask EnterAsync(long bytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task released;
            lock (_gate)
            {
                if (_requests == 0 || (_requests < maxRequests && _bytes + bytes <= maxBytes))
                {
                    _requests++;
                    _bytes += bytes;
                    return;
                }

                released = _released.Task;
            }

            await released.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Leave(long bytes)
    {
        TaskCompletionSource released;
        lock (_gate)
        {
            _requests--;
            _bytes -= bytes;
            released = _released;
            _released = NewSignal();
        }

        released.TrySetResult();
    }

    /// <summary>Waits until every request that entered has left (they observe the connection's cancellation).</summary>
    public async Task DrainAsync()
    {
        while (true)
        {
            Task released;
            lock (_gate)
            {
                if (_requests == 0)
                {
                    return;
                }

                released = _released.Task;
            }

            await released.ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
