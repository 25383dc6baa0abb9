using Imago.Storage.Chunks;

namespace Imago.Storage.Tests.Infrastructure;

/// <summary>
/// Simulates a process dying at a chosen backend call: the Nth put, flush or delete fails, and every call
/// after it fails too (a dead process does nothing more). Counts the calls so a dry run can size the sweep.
/// </summary>
public sealed class FailingBackend(IChunkBackend inner, int failAt) : IChunkBackend
{
    private int _calls;

    public int Calls => _calls;

    public bool Dead => failAt > 0 && _calls >= failAt;

    public ValueTask<bool> ContainsAsync(ChunkHash hash, CancellationToken cancellationToken = default) => inner.ContainsAsync(hash, cancellationToken);

    public ValueTask<byte[]?> GetAsync(ChunkHash hash, CancellationToken cancellationToken = default) => inner.GetAsync(hash, cancellationToken);

    public async ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Step();
        await inner.PutAsync(hash, data, cancellationToken);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Step();
        await inner.FlushAsync(cancellationToken);
    }

    public async ValueTask DeleteAsync(ChunkHash hash, CancellationToken cancellationToken = default)
    {
        Step();
        await inner.DeleteAsync(hash, cancellationToken);
    }

    public IAsyncEnumerable<ChunkHash> EnumerateAsync(CancellationToken cancellationToken = default) => inner.EnumerateAsync(cancellationToken);

    private void Step()
    {
        if (Interlocked.Increment(ref _calls) >= failAt && failAt > 0)
        {
            throw new IOException($"simulated crash at backend call {failAt}");
        }
    }
}
