using Imago.Storage.Chunks;

namespace Imago.Storage.Tests.Review;

/// <summary>
/// A backend whose next flush or chunk read can be made to fail once (a transient I/O error, or a cancellation
/// arriving inside the call), and whose flushes can be held at a gate, so a test can put an operation inside the commit window.
/// Every other call goes straight through.
/// </summary>
public sealed class ArmableBackend(IChunkBackend inner) : IChunkBackend
{
    private Exception? _failNextFlush;
    private Exception? _failNextGet;
    private TaskCompletionSource? _flushGate;
    private TaskCompletionSource? _flushReached;

    public IChunkBackend Inner => inner;

    /// <summary>The next flush throws <paramref name="error"/> (before flushing anything); later ones succeed.</summary>
    public void FailNextFlush(Exception error) => Volatile.Write(ref _failNextFlush, error);

    /// <summary>The next read of a chunk throws <paramref name="error"/>; later ones succeed.</summary>
    public void FailNextGet(Exception error) => Volatile.Write(ref _failNextGet, error);

    /// <summary>Holds every flush until <see cref="OpenFlushGate"/>; the task completes when one is held.</summary>
    public Task HoldFlushes()
    {
        _flushGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _flushReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _flushReached.Task;
    }

    public void OpenFlushGate() => _flushGate?.TrySetResult();

    public ValueTask<bool> ContainsAsync(ChunkHash hash, CancellationToken cancellationToken = default) => inner.ContainsAsync(hash, cancellationToken);

    public ValueTask<byte[]?> GetAsync(ChunkHash hash, CancellationToken cancellationToken = default) =>
        Interlocked.Exchange(ref _failNextGet, null) is { } error ? ValueTask.FromException<byte[]?>(error) : inner.GetAsync(hash, cancellationToken);

    public ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        inner.PutAsync(hash, data, cancellationToken);

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _failNextFlush, null) is { } error)
        {
            throw error;
        }

        if (_flushGate is { } gate)
        {
            _flushReached!.TrySetResult();
            await gate.Task.WaitAsync(cancellationToken);
        }

        await inner.FlushAsync(cancellationToken);
    }

    public ValueTask DeleteAsync(ChunkHash hash, CancellationToken cancellationToken = default) => inner.DeleteAsync(hash, cancellationToken);

    public IAsyncEnumerable<ChunkHash> EnumerateAsync(CancellationToken cancellationToken = default) => inner.EnumerateAsync(cancellationToken);
}
