namespace Imago.Storage.Nbd;

/// <summary>
/// Payload bytes buffered across every connection of one server (write data read ahead, read replies being built).
/// The per-connection window bounds one client; this bounds their sum, so 256 clients cannot make the server hold
/// 256 × 64 MiB. A connection's reader waits here for budget instead of allocating past it (back-pressure on that
/// client's socket). Waiters are served in arrival order, so a large request is not starved by small ones; a
/// request larger than the whole budget still runs, when nothing else holds any.
/// </summary>
internal sealed class MemoryBudget(long capacity)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _used;

    /// <summary>Requests waiting for budget now (tests observe back-pressure through it).</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    public ValueTask AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        if (bytes == 0)
        {
            return ValueTask.CompletedTask;
        }

        Waiter waiter;
        lock (_gate)
        {
            if (_waiters.Count == 0 && FitsLocked(bytes))
            {
                _used += bytes;
                return ValueTask.CompletedTask;
            }

            waiter = new Waiter(bytes);
            waiter.Node = _waiters.AddLast(waiter);
        }

        return WaitAsync(waiter, cancellationToken);
    }

    public void Release(long bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        List<Waiter> granted;
        lock (_gate)
        {
            _used -= bytes;
            granted = GrantLocked();
        }

        Signal(granted);
    }

    private async ValueTask WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        try
        {
            await waiter.Granted.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            List<Waiter>? granted = null;
            lock (_gate)
            {
                if (waiter.Node!.List is not null)
                {
                    // Still queued: leave the queue; those behind may fit now that it no longer blocks the head.
                    _waiters.Remove(waiter.Node);
                    granted = GrantLocked();
                }
            }

            if (granted is null)
            {
                Release(waiter.Bytes); // granted just as it was cancelled: give the budget back
            }
            else
            {
                Signal(granted);
            }

            throw;
        }
    }

    private List<Waiter> GrantLocked()
    {
        var granted = new List<Waiter>();
        while (_waiters.First is { } head && FitsLocked(head.Value.Bytes))
        {
            _waiters.RemoveFirst();
            _used += head.Value.Bytes;
            granted.Add(head.Value);
        }

        return granted;
    }

    private bool FitsLocked(long bytes) => _used == 0 || _used + bytes <= capacity;

    // Completed outside the lock: continuations run asynchronously anyway, but never under our lock.
    private static void Signal(List<Waiter> granted)
    {
        foreach (var waiter in granted)
        {
            waiter.Granted.TrySetResult();
        }
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
