using Imago.Storage.Chunks;
using Imago.Storage.Tree;

namespace Imago.Storage.Integrity;

/// <summary>A chunk a volume or snapshot needs that is absent or damaged.</summary>
public sealed record ChunkProblem(ChunkHash Hash, string Problem);

/// <summary>What a scrub found: every stored chunk re-hashed, every root's references checked.</summary>
public sealed record ScrubReport(long ChunksChecked, IReadOnlyList<ChunkProblem> Corrupt, IReadOnlyList<ChunkProblem> Missing)
{
    public bool IsClean => Corrupt.Count == 0 && Missing.Count == 0;
}

/// <summary>Re-hashes every chunk, then walks every root to find references to chunks that are gone.</summary>
internal sealed class Scrubber(ChunkStore chunks, int fanout)
{
    public async Task<ScrubReport> RunAsync(Func<CancellationToken, Task<IReadOnlyList<VersionRoot>>> readRoots, CancellationToken cancellationToken)
    {
        long checkedCount = 0;
        var corrupt = new Dictionary<ChunkHash, ChunkProblem>();
        await foreach (var hash in chunks.Backend.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            checkedCount++;
            try
            {
                await chunks.ReadAsync(hash, cancellationToken).ConfigureAwait(false);
            }
            catch (ChunkCorruptException e)
            {
                corrupt[hash] = new ChunkProblem(hash, e.Message);
            }
        }

        var missing = new Dictionary<ChunkHash, ChunkProblem>();
        var walker = new TreeWalker(chunks, fanout);
        var needed = new Dictionary<ChunkHash, string>(); // data chunk -> first version found to need it
        foreach (var root in await readRoots(cancellationToken).ConfigureAwait(false))
        {
            var owner = $"{root.Kind.ToString().ToLowerInvariant()} '{root.Id}'";
            try
            {
                // Pages are read (and verified) by the walk itself; a corrupt one is already reported, so not descended.
                await walker.WalkAsync(root.Root, root.Depth, (level, hash) =>
                {
                    if (level == 0)
                    {
                        needed.TryAdd(hash, owner);
                        return false;
                    }

                    return !corrupt.ContainsKey(hash) && needed.TryAdd(hash, owner);
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ChunkCorruptException e) when (!corrupt.ContainsKey(e.Hash))
            {
                missing[e.Hash] = new ChunkProblem(e.Hash, $"{e.Message} (a page of {owner})");
            }
        }

        foreach (var (hash, owner) in needed)
        {
            if (!corrupt.ContainsKey(hash) && !missing.ContainsKey(hash)
                && !await chunks.Backend.ContainsAsync(hash, cancellationToken).ConfigureAwait(false))
            {
                missing[hash] = new ChunkProblem(hash, $"chunk {hash} is missing (needed by {owner})");
            }
        }

        return new ScrubReport(checkedCount, [.. corrupt.Values], [.. missing.Values]);
    }
}
