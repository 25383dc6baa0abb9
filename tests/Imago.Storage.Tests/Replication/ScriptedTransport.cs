using Imago.Storage.Chunks;
using Imago.Storage.Metadata;
using Imago.Storage.Replication;

namespace Imago.Storage.Tests.Replication;

/// <summary>
/// Wraps a transport to break or disturb a replication: fails the put after <see cref="FailAfterPuts"/> puts
/// (as a dropped connection would), runs <see cref="BeforePut"/> before each put (e.g. a garbage collection on
/// the destination), and records every chunk that arrived, across runs sharing one <see cref="Arrivals"/>.
/// </summary>
internal sealed class ScriptedTransport(IChunkTransport inner, List<ChunkHash> arrivals) : IChunkTransport
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _puts;

    public int? FailAfterPuts { get; init; }

    public Func<int, Task>? BeforePut { get; init; }

    public List<ChunkHash> Arrivals => arrivals;

    public bool Committed { get; private set; }

    public ValueTask<StoreLayout> GetLayoutAsync(CancellationToken cancellationToken) => inner.GetLayoutAsync(cancellationToken);

    public ValueTask<VersionRecord?> GetSnapshotAsync(string id, CancellationToken cancellationToken) => inner.GetSnapshotAsync(id, cancellationToken);

    public ValueTask<bool[]> HaveAsync(IReadOnlyList<ChunkHash> hashes, CancellationToken cancellationToken) => inner.HaveAsync(hashes, cancellationToken);

    public async ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // Serialised so "after N puts" is exact even though the replicator sends several chunks at once.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (FailAfterPuts is { } limit && _puts >= limit)
            {
                throw new IOException("connection to the destination lost (scripted)");
            }

            if (BeforePut is { } before)
            {
                await before(_puts);
            }

            await inner.PutAsync(hash, data, cancellationToken);
            _puts++;
            lock (arrivals)
            {
                arrivals.Add(hash);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask CommitSnapshotAsync(string id, VersionRecord record, CancellationToken cancellationToken)
    {
        await inner.CommitSnapshotAsync(id, record, cancellationToken);
        Committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        _gate.Dispose();
    }
}
