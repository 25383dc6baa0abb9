using Imago.Storage.Chunks;

namespace Imago.Storage.Tests.Infrastructure;

/// <summary>
/// Pauses briefly before each delete, so a sweep's delete is still in flight when another task looks the chunk
/// up: it widens the window a race test needs to hit (the pause is never measured or asserted).
/// </summary>
public sealed class SlowDeleteBackend(IChunkBackend inner) : IChunkBackend
{
    public ValueTask<bool> ContainsAsync(ChunkHash hash, CancellationToken cancellationToken = default) => inner.ContainsAsync(hash, cancellationToken);

    public ValueTask<byte[]?> GetAsync(ChunkHash hash, CancellationToken cancellationToken = default) => inner.GetAsync(hash, cancellationToken);

    public ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        inner.PutAsync(hash, data, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public async ValueTask DeleteAsync(ChunkHash hash, CancellationToken cancellationToken = default)
    {
        await Task.Delay(1, cancellationToken);
        await inner.DeleteAsync(hash, cancellationToken);
    }

    public IAsyncEnumerable<ChunkHash> EnumerateAsync(CancellationToken cancellationToken = default) => inner.EnumerateAsync(cancellationToken);
}
