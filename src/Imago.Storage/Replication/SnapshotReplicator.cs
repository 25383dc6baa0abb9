using Imago.Storage.Chunks;
using Imago.Storage.Metadata;
using Imago.Storage.Tree;
using Imago.Storage.Volumes;

namespace Imago.Storage.Replication;

/// <summary>
/// Copies a snapshot from one store to another, sending only the chunks (data and pages) the destination lacks.
/// </summary>
/// <remarks>
/// The tree is walked depth first and sent bottom up: a page goes after everything it names, and the snapshot
/// record goes last, after the destination has made every chunk durable. An interrupted copy therefore leaves
/// only unreferenced chunks at the destination, never a snapshot; run again, it asks before sending, so what
/// arrived is not sent twice (unless a garbage collection on the destination reclaimed it in between, which
/// is what collections are for: then it is sent again). Every chunk is checked against its hash when read at
/// the source and again on arrival. The destination is asked about every chunk rather than trusting that a
/// page it holds implies the subtree under it: an interrupted copy or collection can leave a page without all
/// of its children, and skipping there would commit a snapshot with holes.
/// </remarks>
public static class SnapshotReplicator
{
    /// <summary>Hashes per "have" request: one network round trip per this many chunks.</summary>
    private const int HaveBatch = 1024;

    /// <summary>Chunks read and sent concurrently (source reads, hashing and destination writes overlap).</summary>
    private const int Parallelism = 4;

    /// <summary>Replicates to another store open in this process.</summary>
    public static async Task<ReplicationResult> ReplicateAsync(BlockStore source, string snapshotId, BlockStore destination,
        IProgress<ReplicationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var transport = new LocalChunkTransport(destination);
        await using (transport.ConfigureAwait(false))
        {
            return await ReplicateAsync(source, snapshotId, transport, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<ReplicationResult> ReplicateAsync(BlockStore source, string snapshotId, IChunkTransport destination,
        IProgress<ReplicationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        VersionId.Check(snapshotId);
        var layout = await destination.GetLayoutAsync(cancellationToken).ConfigureAwait(false);
        if (layout.ChunkSize != source.Layout.ChunkSize || layout.PageFanout != source.Layout.PageFanout)
        {
            throw new StoreException(
                $"the destination store's layout (chunk {layout.ChunkSize}, fanout {layout.PageFanout}) differs from the source's "
                + $"(chunk {source.Layout.ChunkSize}, fanout {source.Layout.PageFanout}); replication needs the same layout");
        }

        // Held open for the whole copy: the source snapshot cannot be deleted meanwhile, and its root is read from it.
        var disk = (StoredDisk)await source.OpenSnapshotAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        await using (disk.ConfigureAwait(false))
        {
            var (root, generation) = await disk.CommitAsync(cancellationToken).ConfigureAwait(false);
            var record = new VersionRecord(disk.Size, root.ToString(), generation);
            if (await destination.GetSnapshotAsync(snapshotId, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return existing.Size == record.Size && existing.Root == record.Root
                    ? new ReplicationResult(0, 0, 0, AlreadyPresent: true)
                    : throw new StoreException($"snapshot '{snapshotId}' already exists at the destination with different content");
            }

            var run = new Run(source.Chunks, source.Layout.PageFanout, destination, progress);
            if (!root.IsZero)
            {
                await run.SendTreeAsync(root, source.Depth(disk.Size), cancellationToken).ConfigureAwait(false);
            }

            await destination.CommitSnapshotAsync(snapshotId, record, cancellationToken).ConfigureAwait(false);
            return run.Result;
        }
    }

    /// <summary>One replication's walk and counters.</summary>
    private sealed class Run(ChunkStore source, int fanout, IChunkTransport destination, IProgress<ReplicationProgress>? progress)
    {
        private readonly HashSet<ChunkHash> _seen = [];
        private long _sent;
        private long _skipped;
        private long _bytes;

        public ReplicationResult Result => new(_sent, _skipped, _bytes, AlreadyPresent: false);

        public async Task SendTreeAsync(ChunkHash root, int depth, CancellationToken cancellationToken)
        {
            _seen.Add(root);
            await SendPageAsync(root, depth, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Sends what the destination lacks under the page, then the page itself.</summary>
        private async Task SendPageAsync(ChunkHash hash, int level, CancellationToken cancellationToken)
        {
            var bytes = await source.ReadAsync(hash, cancellationToken).ConfigureAwait(false);
            var children = Page.Parse(hash, bytes, fanout).Entries.Where(e => !e.IsZero && _seen.Add(e)).ToList();
            if (level == 1)
            {
                await SendChunksAsync(children, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                foreach (var child in children)
                {
                    await SendPageAsync(child, level - 1, cancellationToken).ConfigureAwait(false);
                }
            }

            if ((await destination.HaveAsync([hash], cancellationToken).ConfigureAwait(false))[0])
            {
                Count(skipped: 1, sent: 0, bytes: 0);
            }
            else
            {
                await destination.PutAsync(hash, bytes, cancellationToken).ConfigureAwait(false);
                Count(skipped: 0, sent: 1, bytes: bytes.Length);
            }
        }

        private async Task SendChunksAsync(List<ChunkHash> chunks, CancellationToken cancellationToken)
        {
            for (var start = 0; start < chunks.Count; start += HaveBatch)
            {
                var batch = chunks.GetRange(start, Math.Min(HaveBatch, chunks.Count - start));
                var present = await destination.HaveAsync(batch, cancellationToken).ConfigureAwait(false);
                var missing = batch.Where((_, i) => !present[i]).ToList();
                Count(skipped: batch.Count - missing.Count, sent: 0, bytes: 0);
                await Parallel.ForEachAsync(missing,
                    new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                    async (hash, ct) =>
                    {
                        var data = await source.ReadAsync(hash, ct).ConfigureAwait(false);
                        await destination.PutAsync(hash, data, ct).ConfigureAwait(false);
                        Count(skipped: 0, sent: 1, bytes: data.Length);
                    }).ConfigureAwait(false);
            }
        }

        private void Count(long skipped, long sent, long bytes)
        {
            var s = Interlocked.Add(ref _sent, sent);
            var k = Interlocked.Add(ref _skipped, skipped);
            var b = Interlocked.Add(ref _bytes, bytes);
            progress?.Report(new ReplicationProgress(s + k, s, k, b));
        }
    }
}
