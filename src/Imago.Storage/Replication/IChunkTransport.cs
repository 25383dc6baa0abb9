using Imago.Storage.Chunks;
using Imago.Storage.Metadata;

namespace Imago.Storage.Replication;

/// <summary>
/// The destination side of a replication, as the source sees it: "which of these chunks do you have?", "here
/// is one you lack", and finally "record this snapshot". In process today (<see cref="LocalChunkTransport"/>);
/// an HTTP transport later implements the same calls as requests (hash lists batched, one chunk per PUT).
/// </summary>
/// <remarks>
/// Contract the replicator relies on: the destination verifies every chunk it receives against its hash;
/// every chunk it answered "have" for, or received, stays in its store (protected from garbage collection)
/// until the transport is disposed; <see cref="CommitSnapshotAsync"/> makes every chunk durable before the
/// snapshot record, and refuses an id that already exists.
/// </remarks>
public interface IChunkTransport : IAsyncDisposable
{
    /// <summary>The destination store's layout: replication needs the same chunk size and page fanout.</summary>
    ValueTask<StoreLayout> GetLayoutAsync(CancellationToken cancellationToken);

    /// <summary>The destination's record of snapshot <paramref name="id"/>, or null when it has none.</summary>
    ValueTask<VersionRecord?> GetSnapshotAsync(string id, CancellationToken cancellationToken);

    /// <summary>For each hash, whether the destination holds that chunk (and keeps it for this transfer).</summary>
    ValueTask<bool[]> HaveAsync(IReadOnlyList<ChunkHash> hashes, CancellationToken cancellationToken);

    /// <summary>Sends one chunk the destination lacks; it is refused unless its bytes hash to <paramref name="hash"/>.</summary>
    ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Makes every chunk durable, then records the snapshot (data before metadata).</summary>
    ValueTask CommitSnapshotAsync(string id, VersionRecord record, CancellationToken cancellationToken);
}
