namespace Imago.Storage.Chunks;

/// <summary>
/// The chunks a writer has stored or re-used but not yet committed into a root record: what garbage
/// collection must treat as live although no record names them yet. Released after the commit (or when the
/// writer gives up, after which its uncommitted chunks are garbage). Not thread-safe per instance beyond what
/// <see cref="ChunkStore"/> needs: <see cref="Add"/> may be called concurrently.
/// </summary>
public sealed class ChunkPins : IDisposable
{
    private readonly ChunkStore _store;
    private readonly Lock _gate = new();
    private List<ChunkHash> _held = [];

    internal ChunkPins(ChunkStore store) => _store = store;

    internal void Add(ChunkHash hash)
    {
        lock (_gate)
        {
            _held.Add(hash);
        }
    }

    /// <summary>Releases everything pinned so far (call after the record that refers to it is durable).</summary>
    public void ReleaseCommitted()
    {
        List<ChunkHash> held;
        lock (_gate)
        {
            held = _held;
            _held = [];
        }

        _store.Unpin(held);
    }

    public void Dispose() => ReleaseCommitted();
}
