using Imago.Core.Common;
using Imago.Storage.Chunks;
using Imago.Storage.Metadata;
using Imago.Storage.Replication;

namespace Imago.Core.Copying;

/// <summary>
/// What a copy sends passes the service's <see cref="TransferThrottle"/> (before each chunk put) and is counted in
/// <see cref="CopyCounters"/> as it happens, so an interrupted copy's bytes are counted too.
/// </summary>
public sealed class MeteredChunkTransport(IChunkTransport inner, TransferThrottle throttle, CopyCounters counters) : IChunkTransport
{
    public ValueTask<StoreLayout> GetLayoutAsync(CancellationToken cancellationToken) => inner.GetLayoutAsync(cancellationToken);

    public ValueTask<VersionRecord?> GetSnapshotAsync(string id, CancellationToken cancellationToken) => inner.GetSnapshotAsync(id, cancellationToken);

    public async ValueTask<bool[]> HaveAsync(IReadOnlyList<ChunkHash> hashes, CancellationToken cancellationToken)
    {
        var present = await inner.HaveAsync(hashes, cancellationToken).ConfigureAwait(false);
        counters.AddSkipped(present.Count(p => p));
        return present;
    }

    public async ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await throttle.WaitAsync(data.Length, cancellationToken).ConfigureAwait(false);
        await inner.PutAsync(hash, data, cancellationToken).ConfigureAwait(false);
        counters.AddSent(data.Length);
    }

    public ValueTask CommitSnapshotAsync(string id, VersionRecord record, CancellationToken cancellationToken) =>
        inner.CommitSnapshotAsync(id, record, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
