using Imago.Storage.Caching;
using Imago.Storage.Chunks;

namespace Imago.Storage.Tree;

/// <summary>
/// A copy-on-write map from block index to chunk, as a tree of pages stored as chunks (a Merkle tree: the
/// root hash names the whole map). Versions share every page they have in common, so copying a map is copying
/// its root hash, and committing a change rewrites only the pages on the paths from changed blocks to the root.
/// Thread safety: <see cref="GetAsync"/> may run concurrently with itself; every other call needs the map
/// alone (the owner holds its write lock), so the dirty pages never change while readers are inside.
/// </summary>
internal sealed class BlockMap
{
    /// <summary>Clean pages cached per map (least recently used evicted first); dirty pages do not count.</summary>
    public const int MaxCleanPages = 512;

    private readonly ChunkStore _store;

    // Changed pages stay here until commit: they exist nowhere else. Clean pages can always be reloaded from their
    // parent's reference (unchanged, since the parent is clean or holds the same entry), so they live in a bounded LRU.
    private readonly Dictionary<(int Level, long Index), Page> _dirty = [];
    private readonly BoundedLru<(int Level, long Index), Page> _clean = new(MaxCleanPages);
    private ChunkHash _root;

    public BlockMap(ChunkStore store, int fanout, long blockCount, ChunkHash root)
    {
        _store = store;
        Fanout = fanout;
        BlockCount = blockCount;
        Depth = new TreeShape(blockCount, fanout).Depth;
        _root = root;
    }

    public int Fanout { get; }

    public long BlockCount { get; private set; }

    public int Depth { get; private set; }

    /// <summary>The committed root: what <see cref="CommitAsync"/> returned last (or the map was opened at).</summary>
    public ChunkHash Root => _root;

    public bool HasChanges => _dirty.Count > 0;

    /// <summary>Clean pages cached now (at most <see cref="MaxCleanPages"/>).</summary>
    internal int CachedCleanPages => _clean.Count;

    public async ValueTask<ChunkHash> GetAsync(long block, CancellationToken cancellationToken)
    {
        CheckBlock(block);
        var leaf = await GetPageAsync(0, block / Fanout, cancellationToken).ConfigureAwait(false);
        return leaf.Entries[block % Fanout];
    }

    public async ValueTask SetAsync(long block, ChunkHash hash, CancellationToken cancellationToken)
    {
        CheckBlock(block);
        var leaf = await GetPageAsync(0, block / Fanout, cancellationToken).ConfigureAwait(false);
        SetEntry(0, block / Fanout, leaf, block % Fanout, hash);
    }

    /// <summary>Makes the map cover more blocks (new blocks read as zeros), adding levels above the root when needed.</summary>
    public void Grow(long blockCount)
    {
        if (blockCount < BlockCount)
        {
            throw new StoreException("a block map cannot shrink");
        }

        var depth = new TreeShape(blockCount, Fanout).Depth;
        while (Depth < depth)
        {
            // The old top page becomes entry 0 of a new top page. A dirty old top page reaches it at commit.
            var top = Page.Empty(Fanout);
            top.Entries[0] = _root;
            top.Dirty = true;
            _dirty[(Depth, 0)] = top;
            Depth++;
        }

        BlockCount = blockCount;
    }

    /// <summary>
    /// Stores every changed page, children before parents, pinning each in <paramref name="pins"/>, and returns
    /// the new root. The caller flushes the store and commits the root record afterwards.
    /// </summary>
    public async ValueTask<ChunkHash> CommitAsync(ChunkPins pins, CancellationToken cancellationToken)
    {
        for (var level = 0; level < Depth; level++)
        {
            var dirty = _dirty.Where(p => p.Key.Level == level).OrderBy(p => p.Key.Index).ToList();
            foreach (var ((_, index), page) in dirty)
            {
                var bytes = page.Serialize();
                var hash = bytes.Length == 0 ? ChunkHash.Zero : ChunkHash.Compute(bytes);
                if (!hash.IsZero)
                {
                    await _store.WriteAsync(hash, bytes, pins, cancellationToken).ConfigureAwait(false);
                }

                // The parent before the page turns clean: if loading it fails, the page stays dirty and the next
                // commit stores it again, instead of a clean page whose new hash no parent ever records.
                var parent = level == Depth - 1 ? null : await GetPageAsync(level + 1, index / Fanout, cancellationToken).ConfigureAwait(false);
                page.Dirty = false;
                _dirty.Remove((level, index));
                _clean.GetOrAdd((level, index), page);
                if (parent is null)
                {
                    _root = hash;
                }
                else
                {
                    SetEntry(level + 1, index / Fanout, parent, index % Fanout, hash);
                }
            }
        }

        // Pages this map reads through are live because the committed root (or a pin) names them.
        _store.Reference(_root, pins);
        return _root;
    }

    private async ValueTask<Page> GetPageAsync(int level, long index, CancellationToken cancellationToken)
    {
        if (_dirty.TryGetValue((level, index), out var changed))
        {
            return changed;
        }

        if (_clean.TryGet((level, index), out var cached))
        {
            return cached;
        }

        ChunkHash hash;
        if (level == Depth - 1)
        {
            hash = _root;
        }
        else
        {
            var parent = await GetPageAsync(level + 1, index / Fanout, cancellationToken).ConfigureAwait(false);
            hash = parent.Entries[index % Fanout];
        }

        var page = hash.IsZero
            ? Page.Empty(Fanout)
            : Page.Parse(hash, await _store.ReadAsync(hash, cancellationToken).ConfigureAwait(false), Fanout);
        // Two readers that loaded the same page at once share the first one cached. The page returned may be evicted
        // by other readers straight away: readers only read it, and a writer (alone in the map) marks it dirty next.
        return _clean.GetOrAdd((level, index), page);
    }

    // A changed page moves from the clean cache to the dirty set, where nothing evicts it until commit.
    private void SetEntry(int level, long index, Page page, long entry, ChunkHash hash)
    {
        if (page.Entries[entry] == hash)
        {
            return;
        }

        page.Entries[entry] = hash;
        if (!page.Dirty)
        {
            page.Dirty = true;
            _clean.Remove((level, index), out _);
            _dirty[(level, index)] = page;
        }
    }

    private void CheckBlock(long block)
    {
        if ((ulong)block >= (ulong)BlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(block), $"block {block} is outside the map ({BlockCount} blocks)");
        }
    }
}
