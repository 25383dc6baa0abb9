using Imago.Storage.Chunks;
using Imago.Storage.Metadata;
using Imago.Storage.Replication;

namespace Imago.Core.Copying;

/// <summary>
/// Replicates snapshot <paramref name="sourceId"/> under <paramref name="destinationId"/>: the replicator names the
/// snapshot by its source id, the destination region records it under a new id of its own (every snapshot id is
/// unique to its region). Chunks are content-addressed and pass through unchanged.
/// </summary>
public sealed class RenamingChunkTransport(IChunkTransport inner, string sourceId, string destinationId) : IChunkTransport
{
    public ValueTask<StoreLayout> GetLayoutAsync(CancellationToken cancellationToken) => inner.GetLayoutAsync(cancellationToken);

    public ValueTask<VersionRecord?> GetSnapshotAsync(string id, CancellationToken cancellationToken) =>
        inner.GetSnapshotAsync(Rename(id), cancellationToken);

    public ValueTask<bool[]> HaveAsync(IReadOnlyList<ChunkHash> hashes, CancellationToken cancellationToken) => inner.HaveAsync(hashes, cancellationToken);

    public ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => inner.PutAsync(hash, data, cancellationToken);

    public ValueTask CommitSnapshotAsync(string id, VersionRecord record, CancellationToken cancellationToken) =>
        inner.CommitSnapshotAsync(Rename(id), record, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private string Rename(string id) => string.Equals(id, sourceId, StringComparison.Ordinal)
        ? destinationId
        : throw new InvalidOperationException($"this transport replicates snapshot '{sourceId}' only, not '{id}'");
}
