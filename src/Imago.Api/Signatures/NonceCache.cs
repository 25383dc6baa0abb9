using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Imago.Api.Signatures;

/// <summary>
/// Remembers signature nonces per AccessKeyId until the request they signed can no longer be replayed (its signed
/// time plus the timestamp window), so a reused nonce is refused.
/// <para>
/// Compact, because a busy client legitimately sends thousands of nonces a second and each must be kept up to
/// 30 minutes: an entry is a 64-bit keyed fingerprint of (AccessKeyId, nonce) — keyed with a per-process secret,
/// so no client can make two nonces collide on purpose; an accidental collision needs billions of live entries —
/// in a set per expiry minute, dropped whole once the minute has passed (entries live at most a minute longer
/// than needed). Bounded: at <see cref="Capacity"/> live entries new requests get Throttling instead of memory.
/// Only requests with a valid signature reach the cache, so only key holders can fill it.
/// </para>
/// </summary>
public sealed class NonceCache(TimeProvider time, int capacity = NonceCache.DefaultCapacity)
{
    /// <summary>About 100 MB at most; sustains ~4,000 signed requests a second over the 15-minute window.</summary>
    public const int DefaultCapacity = 4_000_000;

    private readonly byte[] _fingerprintKey = RandomNumberGenerator.GetBytes(32);
    /// <summary>At most ~31 live minutes (signed times are within ±15 minutes), in ascending order.</summary>
    private readonly List<(long Minute, HashSet<ulong> Set)> _byExpiryMinute = [];
    private readonly Lock _lock = new();
    private int _count;

    public int Capacity { get; } = capacity;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Records the nonce; false when it is already recorded and not expired.</summary>
    /// <param name="expires">When a replay of this request would fail the timestamp check anyway.</param>
    /// <exception cref="Imago.Core.Errors.EcsException">Throttling when the cache is full.</exception>
    public bool TryUse(string accessKeyId, string nonce, DateTimeOffset expires)
    {
        var fingerprint = Fingerprint(accessKeyId, nonce);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            Sweep(now);
            foreach (var (_, set) in _byExpiryMinute)
            {
                if (set.Contains(fingerprint))
                {
                    return false;
                }
            }

            if (_count >= Capacity)
            {
                throw SignatureErrors.Throttling();
            }

            BucketFor(Minute(expires)).Add(fingerprint);
            _count++;
            return true;
        }
    }

    private HashSet<ulong> BucketFor(long minute)
    {
        var index = 0;
        while (index < _byExpiryMinute.Count && _byExpiryMinute[index].Minute < minute)
        {
            index++;
        }

        if (index < _byExpiryMinute.Count && _byExpiryMinute[index].Minute == minute)
        {
            return _byExpiryMinute[index].Set;
        }

        var set = new HashSet<ulong>();
        _byExpiryMinute.Insert(index, (minute, set));
        return set;
    }

    /// <summary>Drops every minute that has fully passed.</summary>
    private void Sweep(DateTimeOffset now)
    {
        var current = Minute(now);
        var passed = 0;
        while (passed < _byExpiryMinute.Count && _byExpiryMinute[passed].Minute < current)
        {
            _count -= _byExpiryMinute[passed].Set.Count;
            passed++;
        }

        _byExpiryMinute.RemoveRange(0, passed);
    }

    private static long Minute(DateTimeOffset time) => time.ToUnixTimeSeconds() / 60;

    private ulong Fingerprint(string accessKeyId, string nonce)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_fingerprintKey, Encoding.UTF8.GetBytes(accessKeyId + "\n" + nonce), mac);
        return BinaryPrimitives.ReadUInt64LittleEndian(mac);
    }
}
