using Imago.Core.Errors;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Storage;
using Imago.Storage.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Snapshots;

/// <summary>
/// Finishes a progressing snapshot: checks its store snapshot exists, measures the bytes it holds (StoredBytes,
/// the capacity fees are charged on) and marks it accomplished at 100%. Idempotent, so a restart can redo it.
/// </summary>
public sealed class SnapshotFinalizer(ImagoDatabase database, RegionStores stores)
{
    public async Task FinalizeAsync(string regionId, string snapshotId, CancellationToken cancellationToken)
    {
        var store = stores[regionId];
        if (!store.SnapshotExists(snapshotId))
        {
            throw new EcsException("InvalidSnapshotId.NotFound", $"The bytes of snapshot {snapshotId} are missing from the store.", 404);
        }

        var info = await store.GetInfoAsync(VersionKind.Snapshot, snapshotId, cancellationToken).ConfigureAwait(false);
        await using var db = database.CreateContext();
        // The capacity interval starts in the transaction that marks the snapshot accomplished (docs/billing.md).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var finished = await db.Snapshots
            .Where(s => s.Id == snapshotId && s.Status == SnapshotStatuses.Progressing)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SnapshotStatuses.Accomplished)
                .SetProperty(x => x.Progress, 100)
                .SetProperty(x => x.StoredBytes, info.UniqueBytes)
                .SetProperty(x => x.Version, x => x.Version + 1), cancellationToken)
            .ConfigureAwait(false);
        if (finished > 0 && await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == snapshotId, cancellationToken).ConfigureAwait(false) is { } snapshot)
        {
            Billing.UsageRecorder.SnapshotFinished(db, snapshot);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks progressing snapshots failed (their task failed or was abandoned).</summary>
    public async Task FailAsync(IReadOnlyCollection<string> snapshotIds, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        await db.Snapshots
            .Where(s => snapshotIds.Contains(s.Id) && s.Status == SnapshotStatuses.Progressing)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SnapshotStatuses.Failed)
                .SetProperty(x => x.Version, x => x.Version + 1), cancellationToken)
            .ConfigureAwait(false);
    }
}
