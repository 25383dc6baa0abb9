using Imago.Formats.IO;

namespace Imago.Storage.Chunks;

/// <summary>
/// Content-addressed chunks over an <see cref="IChunkBackend"/>: verifies every chunk it reads against its
/// hash, never stores all-zero chunks, deduplicates, and keeps the bookkeeping that lets garbage collection
/// run while writers continue (see <see cref="Integrity.GarbageCollector"/> for the rule).
/// </summary>
public sealed class ChunkStore
{
    private const int Stripes = 64;

    private readonly SemaphoreSlim[] _stripes;
    private readonly Lock _pinGate = new();
    private readonly Dictionary<ChunkHash, int> _pinned = [];
    private HashSet<ChunkHash>? _collecting; // non-null while a collection is marking and sweeping

    public ChunkStore(IChunkBackend backend, int chunkSize)
    {
        Backend = backend;
        ChunkSize = chunkSize;
        _stripes = new SemaphoreSlim[Stripes];
        for (var i = 0; i < Stripes; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }
    }

    public IChunkBackend Backend { get; }

    /// <summary>Size of every data chunk; pages (tree metadata) may be shorter.</summary>
    public int ChunkSize { get; }

    public ChunkPins CreatePins() => new(this);

    /// <summary>
    /// The chunk's bytes, verified against its hash. Throws <see cref="ChunkCorruptException"/> when the chunk
    /// is missing or damaged: a damaged chunk is never returned.
    /// </summary>
    public async ValueTask<byte[]> ReadAsync(ChunkHash hash, CancellationToken cancellationToken = default)
    {
        if (hash.IsZero)
        {
            throw new ArgumentException("the zero reference has no stored chunk", nameof(hash));
        }

        var data = await Backend.GetAsync(hash, cancellationToken).ConfigureAwait(false)
            ?? throw new ChunkCorruptException(hash, "is missing");
        if (ChunkHash.Compute(data) != hash)
        {
            throw new ChunkCorruptException(hash, "is corrupt: its content does not match its hash");
        }

        return data;
    }

    /// <summary>
    /// Hashes <paramref name="data"/> and stores it unless it is all zeros (then the zero reference) or already
    /// present (deduplicated). The result is pinned in <paramref name="pins"/> until the caller commits.
    /// </summary>
    public async ValueTask<ChunkHash> WriteAsync(ReadOnlyMemory<byte> data, ChunkPins pins, CancellationToken cancellationToken = default)
    {
        if (ZeroDetector.IsAllZero(data.Span))
        {
            return ChunkHash.Zero;
        }

        var hash = ChunkHash.Compute(data.Span);
        await WriteAsync(hash, data, pins, cancellationToken).ConfigureAwait(false);
        return hash;
    }

    /// <summary>Stores bytes whose hash the caller computed (parallel import hashes on worker threads).</summary>
    public async ValueTask<bool> WriteAsync(ChunkHash hash, ReadOnlyMemory<byte> data, ChunkPins pins, CancellationToken cancellationToken = default)
    {
        bool present;
        var stripe = StripeOf(hash);
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Pin before looking: a sweep that runs after this point sees the pin and keeps the chunk; one that
            // ran before has already deleted it, so the lookup fails and the chunk is written again.
            Pin(hash, pins);
            present = await Backend.ContainsAsync(hash, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            stripe.Release();
        }

        if (!present)
        {
            await Backend.PutAsync(hash, data, cancellationToken).ConfigureAwait(false);
        }

        return !present;
    }

    /// <summary>
    /// Pins <paramref name="hash"/> in <paramref name="pins"/> and reports whether the chunk is stored, both under
    /// the per-hash lock a sweep takes (as <see cref="WriteAsync(ChunkHash, ReadOnlyMemory{byte}, ChunkPins, CancellationToken)"/>
    /// does): a true answer means the chunk is present and stays so until the pins are released.
    /// </summary>
    public async ValueTask<bool> TryReferenceExistingAsync(ChunkHash hash, ChunkPins pins, CancellationToken cancellationToken = default)
    {
        if (hash.IsZero)
        {
            return false; // the zero reference has no stored chunk
        }

        var stripe = StripeOf(hash);
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A sweep of this hash either ran entirely before (the lookup finds it gone) or runs entirely after
            // and sees the pin: never "present" and then deleted.
            Pin(hash, pins);
            return await Backend.ContainsAsync(hash, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            stripe.Release();
        }
    }

    /// <summary>Pins a chunk that a new record will refer to without writing it (a clone's root).</summary>
    public void Reference(ChunkHash hash, ChunkPins pins)
    {
        if (!hash.IsZero)
        {
            Pin(hash, pins);
        }
    }

    /// <summary>Makes every chunk written so far durable: call before committing metadata that refers to them.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => Backend.FlushAsync(cancellationToken);

    private void Pin(ChunkHash hash, ChunkPins pins)
    {
        lock (_pinGate)
        {
            _pinned[hash] = _pinned.GetValueOrDefault(hash) + 1;
            _collecting?.Add(hash);
        }

        pins.Add(hash);
    }

    internal void Unpin(List<ChunkHash> hashes)
    {
        lock (_pinGate)
        {
            foreach (var hash in hashes)
            {
                var count = _pinned.GetValueOrDefault(hash) - 1;
                if (count <= 0)
                {
                    _pinned.Remove(hash);
                }
                else
                {
                    _pinned[hash] = count;
                }
            }
        }
    }

    /// <summary>
    /// Starts a collection: from now until <see cref="EndCollection"/>, every chunk pinned (now or later) is
    /// added to <paramref name="live"/>, so nothing a writer touches during the collection can be swept.
    /// </summary>
    internal void BeginCollection(HashSet<ChunkHash> live)
    {
        lock (_pinGate)
        {
            if (_collecting is not null)
            {
                throw new StoreException("a garbage collection is already running");
            }

            _collecting = live;
            live.UnionWith(_pinned.Keys);
        }
    }

    /// <summary>Adds a chunk reached by marking to the live set of the running collection.</summary>
    internal bool MarkLive(ChunkHash hash)
    {
        lock (_pinGate)
        {
            return _collecting?.Add(hash) ?? throw new InvalidOperationException("no collection is running");
        }
    }

    internal void EndCollection()
    {
        lock (_pinGate)
        {
            _collecting = null;
        }
    }

    /// <summary>Deletes the chunk unless it became live (pinned) meanwhile; true when deleted.</summary>
    internal async ValueTask<bool> SweepAsync(ChunkHash hash, CancellationToken cancellationToken)
    {
        var stripe = StripeOf(hash);
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_pinGate)
            {
                if (_collecting is null || _collecting.Contains(hash))
                {
                    return false;
                }
            }

            await Backend.DeleteAsync(hash, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            stripe.Release();
        }
    }

    private SemaphoreSlim StripeOf(ChunkHash hash) => _stripes[(int)(hash.D % Stripes)];
}
