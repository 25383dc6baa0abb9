using System.Runtime.CompilerServices;
using Imago.Storage.Chunks;

namespace Imago.Storage.Tests.Infrastructure;

/// <summary>Counts what reaches the backend, so tests can assert on the cost of an operation in writes, not time.</summary>
public sealed class CountingBackend(IChunkBackend inner) : IChunkBackend
{
    private long _puts;
    private long _bytesPut;
    private long _gets;

    public long Puts => Interlocked.Read(ref _puts);

    public long BytesPut => Interlocked.Read(ref _bytesPut);

    public long Gets => Interlocked.Read(ref _gets);

    public IChunkBackend Inner => inner;

    public void Reset()
    {
        Interlocked.Exchange(ref _puts, 0);
        Interlocked.Exchange(ref _bytesPut, 0);
        Interlocked.Exchange(ref _gets, 0);
    }

    public ValueTask<bool> ContainsAsync(ChunkHash hash, CancellationToken cancellationToken = default) => inner.ContainsAsync(hash, cancellationToken);

    public ValueTask<byte[]?> GetAsync(ChunkHash hash, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _gets);
        return inner.GetAsync(hash, cancellationToken);
    }

    public ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _puts);
        Interlocked.Add(ref _bytesPut, data.Length);
        return inner.PutAsync(hash, data, cancellationToken);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public ValueTask DeleteAsync(ChunkHash hash, CancellationToken cancellationToken = default) => inner.DeleteAsync(hash, cancellationToken);

    public IAsyncEnumerable<ChunkHash> EnumerateAsync(CancellationToken cancellationToken = default) => inner.EnumerateAsync(cancellationToken);
}
