using Imago.Storage.Chunks;
using Imago.Storage.IO;

namespace Imago.Storage;

/// <summary>How a new store is laid out; an existing store keeps the layout it was created with.</summary>
public sealed record BlockStoreOptions
{
    /// <summary>256 KiB: see docs/storage.md for the measurements and trade-offs behind it.</summary>
    public const int DefaultChunkSize = 256 * 1024;

    /// <summary>Bytes per data chunk (a power of two, 4 KiB to 4 MiB).</summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>References per page; default: as many as fit in one chunk (8192 for 256 KiB).</summary>
    public int? PageFanout { get; init; }

    /// <summary>Wraps the directory backend (tests count or damage backend calls through it).</summary>
    public Func<IChunkBackend, IChunkBackend>? WrapBackend { get; init; }

    /// <summary>The flushes to stable storage (null: the real ones); tests count them or make them fail.</summary>
    internal IStorageSync? Sync { get; init; }

    public static BlockStoreOptions Default { get; } = new();
}
