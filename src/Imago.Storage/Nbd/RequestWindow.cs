namespace Imago.Storage.Nbd;

/// <summary>
/// Bounds the requests one connection processes concurrently, by count and by buffered payload bytes.
/// Only the connection's reader enters (so there is a single waiter); request tasks leave from any thread.
/// A request larger than the byte budget still runs, but alone. Bytes also come out of the server-wide
/// <see cref="MemoryBudget"/> shared by every connection.
/// </summary>
internal sealed class RequestWindow(int maxRequests, long maxBytes, MemoryBudget budget)
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
                    break;
                }

                released = _released.Task;
            }

            await released.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await budget.AcquireAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            LeaveLocal(bytes);
            throw;
        }
    }

    public void Leave(long bytes)
    {
        budget.Release(bytes);
        LeaveLocal(bytes);
    }

    /// <summary>True when no request is in flight.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _requests == 0;
            }
        }
    }

    private void LeaveLocal(long bytes)
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
