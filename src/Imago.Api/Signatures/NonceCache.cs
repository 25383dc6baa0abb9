namespace Imago.Api.Signatures;

/// <summary>
/// Remembers signature nonces per AccessKeyId until the request they signed can no longer be replayed (its signed
/// time plus the timestamp window), so a reused nonce is refused. Bounded: when <see cref="Capacity"/> live entries
/// exist, new requests are refused (Throttling) rather than the cache growing without limit.
/// </summary>
public sealed class NonceCache(TimeProvider time, int capacity = NonceCache.DefaultCapacity)
{
    public const int DefaultCapacity = 200_000;

    private readonly Dictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _byExpiry = new();
    private readonly Lock _lock = new();

    public int Capacity { get; } = capacity;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _expiries.Count;
            }
        }
    }

    /// <summary>Records the nonce; false when it is already recorded and not expired.</summary>
    /// <param name="expires">When a replay of this request would fail the timestamp check anyway.</param>
    /// <exception cref="Imago.Core.Errors.EcsException">Throttling when the cache is full.</exception>
    public bool TryUse(string accessKeyId, string nonce, DateTimeOffset expires)
    {
        var key = accessKeyId + "\n" + nonce;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            Sweep(now);
            if (_expiries.TryGetValue(key, out var existing) && existing > now)
            {
                return false;
            }

            if (_expiries.Count >= Capacity)
            {
                throw SignatureErrors.Throttling();
            }

            _expiries[key] = expires;
            _byExpiry.Enqueue(key, expires);
            return true;
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        while (_byExpiry.TryPeek(out var key, out var expires) && expires <= now)
        {
            _byExpiry.Dequeue();
            if (_expiries.TryGetValue(key, out var current) && current <= now)
            {
                _expiries.Remove(key);
            }
        }
    }
}
