namespace Imago.Storage.Caching;

/// <summary>
/// A thread-safe least-recently-used cache holding at most <see cref="Capacity"/> entries: adding past the
/// capacity evicts the entry used longest ago. Calls are short and synchronous (one lock), so concurrent
/// readers share it without awaiting.
/// </summary>
internal sealed class BoundedLru<TKey, TValue>
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, LinkedListNode<KeyValuePair<TKey, TValue>>> _index = [];
    private readonly LinkedList<KeyValuePair<TKey, TValue>> _recency = new(); // most recent first

    public BoundedLru(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _index.Count;
            }
        }
    }

    public bool TryGet(TKey key, out TValue value)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    /// <summary>
    /// Adds the entry unless the key is present, and returns the cached value: two readers that loaded the same
    /// entry at once end up sharing the first one added.
    /// </summary>
    public TValue GetOrAdd(TKey key, TValue value)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var existing))
            {
                _recency.Remove(existing);
                _recency.AddFirst(existing);
                return existing.Value.Value;
            }

            _index[key] = _recency.AddFirst(KeyValuePair.Create(key, value));
            if (_index.Count > Capacity)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _index.Remove(oldest.Value.Key);
            }

            return value;
        }
    }

    public bool Remove(TKey key, out TValue value)
    {
        lock (_gate)
        {
            if (_index.Remove(key, out var node))
            {
                _recency.Remove(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = default!;
        return false;
    }
}
