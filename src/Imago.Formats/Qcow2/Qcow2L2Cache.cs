namespace Imago.Formats.Qcow2;

/// <summary>
/// A bounded, thread-safe LRU of L2 tables keyed by their host offset. Concurrent misses for the same
/// table may both load it; the first one stored wins (the content is the same, and loads are rare).
/// </summary>
internal sealed class Qcow2L2Cache
{
    /// <summary>Memory the cache may hold, whatever the cluster size.</summary>
    public const long BudgetBytes = 16L << 20;

    private readonly Lock _lock = new();
    private readonly Dictionary<long, LinkedListNode<(long Offset, byte[] Table)>> _map = [];
    private readonly LinkedList<(long Offset, byte[] Table)> _order = new();
    private readonly int _capacity;

    public Qcow2L2Cache(int clusterSize)
    {
        _capacity = (int)Math.Clamp(BudgetBytes / clusterSize, 4, 4096);
    }

    public bool TryGet(long offset, out byte[] table)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(offset, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                table = node.Value.Table;
                return true;
            }
        }

        table = [];
        return false;
    }

    public byte[] Add(long offset, byte[] table)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(offset, out var existing))
            {
                return existing.Value.Table;
            }

            if (_map.Count >= _capacity)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _map.Remove(last.Value.Offset);
            }

            _map[offset] = _order.AddFirst((offset, table));
            return table;
        }
    }
}
