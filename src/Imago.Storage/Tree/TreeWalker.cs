using Imago.Storage.Chunks;

namespace Imago.Storage.Tree;

/// <summary>
/// Visits every non-zero reference of a block map, pages before what they name. The visitor returns whether
/// to descend into a page (false: the caller has seen this page already, or only counts it).
/// </summary>
internal sealed class TreeWalker(ChunkStore chunks, int fanout)
{
    /// <param name="visit">Called with (level, hash): level 0 is a data chunk, level 1 and up a page.</param>
    public async ValueTask WalkAsync(ChunkHash root, int depth, Func<int, ChunkHash, bool> visit, CancellationToken cancellationToken)
    {
        if (!root.IsZero)
        {
            await VisitAsync(depth, root, visit, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask VisitAsync(int level, ChunkHash hash, Func<int, ChunkHash, bool> visit, CancellationToken cancellationToken)
    {
        if (!visit(level, hash) || level == 0)
        {
            return;
        }

        var page = Page.Parse(hash, await chunks.ReadAsync(hash, cancellationToken).ConfigureAwait(false), fanout);
        foreach (var entry in page.Entries)
        {
            if (!entry.IsZero)
            {
                await VisitAsync(level - 1, entry, visit, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
