namespace Imago.Storage.Chunks;

/// <summary>
/// Where chunk bytes live: a directory (<see cref="DirectoryChunkBackend"/>) today, an S3-compatible object
/// store later. Backends store and return bytes under a hash; they do not verify (the <see cref="ChunkStore"/>
/// above them does, on every read), so a backend can be as dumb as an object store.
/// </summary>
/// <remarks>
/// Designed for packing: <see cref="PutAsync"/> only has to make a chunk readable by this process, and
/// <see cref="FlushAsync"/> is the durability point the store waits for before it commits any metadata that
/// refers to chunks put since the last flush. An object-store backend can therefore append small chunks to an
/// in-memory pack and upload one object (pack + index) per flush, instead of one PUT per chunk; deleting from
/// a pack becomes "drop from the index, repack when mostly dead". Enumeration returns names only, so a
/// backend never has to read data to list it.
/// </remarks>
public interface IChunkBackend
{
    ValueTask<bool> ContainsAsync(ChunkHash hash, CancellationToken cancellationToken = default);

    /// <summary>The stored bytes, or null when the chunk is absent.</summary>
    ValueTask<byte[]?> GetAsync(ChunkHash hash, CancellationToken cancellationToken = default);

    /// <summary>Stores the bytes under <paramref name="hash"/>; storing a present chunk again is harmless.</summary>
    ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Makes every chunk put so far durable (survives power loss).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes the chunk; absent chunks are ignored.</summary>
    ValueTask DeleteAsync(ChunkHash hash, CancellationToken cancellationToken = default);

    /// <summary>Every stored chunk's name, in no particular order.</summary>
    IAsyncEnumerable<ChunkHash> EnumerateAsync(CancellationToken cancellationToken = default);
}
