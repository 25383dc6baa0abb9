using Imago.Storage.Chunks;
using Imago.Storage.Tree;

namespace Imago.Storage.Integrity;

/// <summary>What a collection found and removed.</summary>
public sealed record GcReport(long LiveChunks, long ChunksScanned, long ChunksDeleted);

/// <summary>
/// Mark-and-sweep from every volume and snapshot root, pages included.
/// </summary>
/// <remarks>
/// The rule that makes it safe while writers run: a collection starts, under the store's metadata lock,
/// by reading every root record and switching the chunk store into "collecting" mode. From that moment until
/// the sweep ends, every chunk any writer stores or re-uses (pins) is added to the live set, and so is every
/// chunk still pinned from before. Any record committed later names only chunks from roots read at the start
/// (unchanged subtrees) or chunks pinned since, so it is covered. The sweep deletes a chunk only under the
/// same per-hash lock a writer takes to pin it and look it up: either the writer's pin wins (the chunk is kept)
/// or the delete wins (the writer finds it absent and writes it again). A marking failure (a missing or corrupt
/// page) aborts the collection before anything is deleted.
/// </remarks>
internal sealed class GarbageCollector(ChunkStore chunks, int fanout,
    Func<Action, CancellationToken, Task<IReadOnlyList<VersionRoot>>> captureRoots)
{
    public async Task<GcReport> RunAsync(CancellationToken cancellationToken)
    {
        var live = new HashSet<ChunkHash>();
        var begun = false;
        try
        {
            // Reading the roots can fail after the collection began (a damaged record, cancellation): it must end too.
            var roots = await captureRoots(() =>
            {
                chunks.BeginCollection(live);
                begun = true;
            }, cancellationToken).ConfigureAwait(false);
            var walker = new TreeWalker(chunks, fanout);
            var walked = new HashSet<ChunkHash>();
            foreach (var root in roots)
            {
                // Descend into each page once; "live" alone cannot decide that, since pins add pages without their subtrees.
                await walker.WalkAsync(root.Root, root.Depth, (level, hash) =>
                {
                    chunks.MarkLive(hash);
                    return level > 0 && walked.Add(hash);
                }, cancellationToken).ConfigureAwait(false);
            }

            long scanned = 0;
            long deleted = 0;
            await foreach (var hash in chunks.Backend.EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                scanned++;
                if (await chunks.SweepAsync(hash, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
            }

            await chunks.FlushAsync(cancellationToken).ConfigureAwait(false);
            return new GcReport(scanned - deleted, scanned, deleted);
        }
        finally
        {
            if (begun)
            {
                chunks.EndCollection();
            }
        }
    }
}
