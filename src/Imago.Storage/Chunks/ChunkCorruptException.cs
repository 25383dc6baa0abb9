namespace Imago.Storage.Chunks;

/// <summary>A chunk that is missing, or whose bytes no longer hash to its name: never returned silently.</summary>
public sealed class ChunkCorruptException(ChunkHash hash, string problem)
    : IOException($"chunk {hash} {problem}")
{
    public ChunkHash Hash { get; } = hash;
}
