using Imago.Storage.Chunks;
using Imago.Storage.Metadata;

namespace Imago.Storage.Replication;

/// <summary>
/// A transport to a destination store open in this process. It counts what crosses it (the bytes a network
/// transport would carry), verifies every chunk on arrival, and pins every chunk it reports present or
/// receives, so that a garbage collection running on the destination during the copy cannot remove a chunk
/// the snapshot record will name (the store's pin rule; see <see cref="Integrity.GarbageCollector"/>).
/// </summary>
/// <remarks>
/// The destination stages received chunks and publishes them at a flush; a staged chunk of a copy that dies
/// is discarded. So the transport publishes every <see cref="PublishEvery"/> chunks and again when it is
/// disposed (a copy that failed cleanly keeps everything that arrived): a restarted copy then skips what was
/// published, and a killed one resends at most the last unpublished batch.
/// </remarks>
public sealed class LocalChunkTransport(BlockStore destination) : IChunkTransport
{
    private readonly ChunkPins _pins = destination.Chunks.CreatePins();
    private long _bytesReceived;
    private long _chunksReceived;
    private long _hashesQueried;
    private int _unpublished;

    /// <summary>Chunks received between two publishes (8 MiB at the default 256 KiB chunk size).</summary>
    public const int PublishEvery = 32;

    /// <summary>Chunk bytes received (each verified before it was stored).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public long ChunksReceived => Interlocked.Read(ref _chunksReceived);

    /// <summary>Hashes asked about (32 bytes each on a network).</summary>
    public long HashesQueried => Interlocked.Read(ref _hashesQueried);

    public ValueTask<StoreLayout> GetLayoutAsync(CancellationToken cancellationToken) => ValueTask.FromResult(destination.Layout);

    public async ValueTask<VersionRecord?> GetSnapshotAsync(string id, CancellationToken cancellationToken) =>
        await destination.TryGetSnapshotRecordAsync(id, cancellationToken).ConfigureAwait(false);

    public async ValueTask<bool[]> HaveAsync(IReadOnlyList<ChunkHash> hashes, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _hashesQueried, hashes.Count);
        var present = new bool[hashes.Count];
        for (var i = 0; i < hashes.Count; i++)
        {
            present[i] = await destination.Chunks.TryReferenceExistingAsync(hashes[i], _pins, cancellationToken).ConfigureAwait(false);
        }

        return present;
    }

    public async ValueTask PutAsync(ChunkHash hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (hash.IsZero || data.Length == 0 || data.Length > destination.ChunkSize)
        {
            throw new ChunkCorruptException(hash, $"arrived with an invalid length ({data.Length} bytes)");
        }

        if (ChunkHash.Compute(data.Span) != hash)
        {
            throw new ChunkCorruptException(hash, "arrived damaged: its content does not match its hash");
        }

        await destination.Chunks.WriteAsync(hash, data, _pins, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _bytesReceived, data.Length);
        Interlocked.Increment(ref _chunksReceived);
        if (Interlocked.Increment(ref _unpublished) >= PublishEvery)
        {
            Interlocked.Exchange(ref _unpublished, 0);
            await destination.Chunks.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask CommitSnapshotAsync(string id, VersionRecord record, CancellationToken cancellationToken)
    {
        await destination.Chunks.FlushAsync(cancellationToken).ConfigureAwait(false);

        // "Have" answers need no re-check here: each was a pin and a lookup under the per-hash lock the sweep
        // takes, so a chunk answered present was not being deleted at that moment and, pinned until this
        // transport is disposed (after the record below is written), cannot be swept later by any collection.

        await destination.CreateSnapshotAsync(id, record, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Publish before the pins go, so a collection cannot take what arrived in between.
            if (Volatile.Read(ref _unpublished) > 0)
            {
                await destination.Chunks.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _pins.Dispose();
        }
    }
}
