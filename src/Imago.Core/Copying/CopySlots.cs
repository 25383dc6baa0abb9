using System.Collections.Concurrent;

namespace Imago.Core.Copying;

/// <summary>
/// The per-destination-region limit on copies transferring at once (<c>imago serve --copy-concurrency</c>, default
/// 2). A copy waits for a slot of its destination region without holding a task worker (CopyImage runs outside
/// the workers, see <see cref="Tasks.ITaskHandler.RunsOutsideWorkers"/>); its image shows Status Waiting meanwhile.
/// </summary>
public sealed class CopySlots(int perRegion) : IDisposable
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _regions = new(StringComparer.Ordinal);

    public int PerRegion { get; } = Math.Max(1, perRegion);

    /// <summary>Takes a slot of <paramref name="regionId"/> at once if one is free; null when the copy must wait.</summary>
    public Slot? TryEnter(string regionId)
    {
        var semaphore = Semaphore(regionId);
        return semaphore.Wait(0) ? new Slot(semaphore) : null;
    }

    /// <summary>Waits for a slot of <paramref name="regionId"/>; dispose the slot to free it.</summary>
    public async Task<Slot> EnterAsync(string regionId, CancellationToken cancellationToken)
    {
        var semaphore = Semaphore(regionId);
        await semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Slot(semaphore);
    }

    public void Dispose()
    {
        foreach (var semaphore in _regions.Values)
        {
            semaphore.Dispose();
        }
    }

    private SemaphoreSlim Semaphore(string regionId) => _regions.GetOrAdd(regionId, _ => new SemaphoreSlim(PerRegion, PerRegion));

    /// <summary>A held slot; released once.</summary>
    public sealed class Slot(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
