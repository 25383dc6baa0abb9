using Imago.Storage.Chunks;

namespace Imago.Storage.Tests.Infrastructure;

/// <summary>
/// Pauses briefly before each read and/or delete, so an operation is still in flight when a concurrent one
/// reaches the same chunk: it widens the windows race tests need to hit (the pause is never measured or asserted).
/// </summary>
public sealed class PausingBackend(IChunkBackend inner, bool pauseGets, bool pauseDeletes) : IChunkBackend
{
    public ValueTask<bool> ContainsAsync(ChunkHash hash, CancellationToken cancellationToken = default) => inner.ContainsAsync(hash, cancellationToken);

    public async ValueTask<byte[]?> GetAsync(ChunkHash hash, CancellationToken cancellationToken = default)
    {
        if (pauseGets)
        {
            await Task.Delay(1, cancellationToken);
        }

        return await inner.GetAsync(hash, cancellationToken);
    }

    public ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        inner.PutAsync(hash, data, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public async ValueTask DeleteAsync(ChunkHash hash, CancellationToken cancellationToken = default)
    {
        if (pauseDeletes)
        {
            await Task.Delay(1, cancellationToken);
        }

        await inner.DeleteAsync(hash, cancellationToken);
    }

    public IAsyncEnumerable<ChunkHash> EnumerateAsync(CancellationToken cancellationToken = default) => inner.EnumerateAsync(cancellationToken);
}
