using Imago.Core.Errors;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Imago.Core.Snapshots;

/// <summary>
/// Releases snapshots whose RetentionDays have passed, as ECS does. A snapshot that an image still maps is kept
/// until the image is gone (releasing it would break the image); disks created from it keep their bytes (a clone
/// shares the snapshot's chunks, it does not need the snapshot), so they do not hold it back.
/// </summary>
public sealed class SnapshotRetention(ImagoDatabase database, SnapshotService snapshots, TimeProvider time, ILogger<SnapshotRetention> logger)
{
    /// <summary>Snapshots examined per sweep at most; the next sweep takes the rest.</summary>
    private const int Batch = 500;

    /// <summary>Releases the expired snapshots; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var oldestPossible = now.AddDays(-1);
        List<(string Id, long AccountId, string RegionId)> expired;
        await using (var db = database.CreateContext())
        {
            var candidates = await db.Snapshots.AsNoTracking()
                .Where(s => s.RetentionDays != null && s.AccountId != null && s.CreatedAt <= oldestPossible
                    && s.Status != SnapshotStatuses.Progressing
                    && !db.ImageDiskMappings.Any(m => m.SnapshotId == s.Id))
                .OrderBy(s => s.CreatedAt)
                .Select(s => new { s.Id, s.AccountId, s.RegionId, s.CreatedAt, s.RetentionDays })
                .Take(Batch)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            expired = [.. candidates.Where(s => s.CreatedAt.AddDays(s.RetentionDays!.Value) <= now).Select(s => (s.Id, s.AccountId!.Value, s.RegionId))];
        }

        var released = 0;
        foreach (var (id, accountId, regionId) in expired)
        {
            try
            {
                await snapshots.DeleteAsync(new Caller(accountId), regionId, id, force: true, cancellationToken).ConfigureAwait(false);
                released++;
            }
            catch (EcsException error)
            {
                // Mapped by an image meanwhile, already deleted, or its region is no longer served: not released now.
                logger.LogInformation("Snapshot {SnapshotId} past its retention was kept: {Code}", id, error.Code);
            }
        }

        if (released > 0)
        {
            logger.LogInformation("Released {Count} snapshot(s) past their RetentionDays", released);
        }

        return released;
    }
}
