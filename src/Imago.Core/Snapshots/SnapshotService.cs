using Imago.Core.Common;
using Imago.Core.Errors;
using Imago.Core.Ids;
using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Core.Tasks;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Storage;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Snapshots;

/// <summary>CreateSnapshot and DeleteSnapshot.</summary>
public sealed class SnapshotService(
    ImagoDatabase database, RegionStores stores, RegionCatalog regions, TaskRunner tasks, TimeProvider time)
{
    private const string CreateAction = "CreateSnapshot";

    /// <summary>
    /// Snapshots the caller's disk: the store snapshot first, then the row (progressing) and its finishing task
    /// in one transaction. Returns the SnapshotId.
    /// </summary>
    public async Task<string> CreateAsync(Caller caller, CreateSnapshotRequest request, CancellationToken cancellationToken)
    {
        if (request.RegionId is { } region)
        {
            regions.Require(region);
        }

        ResourceNames.CheckSnapshotName(request.SnapshotName);
        ResourceNames.CheckDescription(request.Description);
        if (request.RetentionDays is < 1 or > 65536)
        {
            throw SnapshotErrors.InvalidRetentionDays();
        }

        var tags = TagRules.Check(request.Tags ?? []);
        var token = Idempotency.Validate(request.ClientToken);
        var hash = Idempotency.Hash(request with { ClientToken = null, Tags = tags.ToArray() });

        await using var db = database.CreateContext();
        if (token is not null && await Idempotency.FindAsync<string>(db, caller, CreateAction, token, hash, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return earlier;
        }

        var disk = await db.Disks.AsNoTracking()
            .FirstOrDefaultAsync(d => d.Id == request.DiskId && d.AccountId == caller.AccountId && (request.RegionId == null || d.RegionId == request.RegionId), cancellationToken)
            .ConfigureAwait(false) ?? throw EcsErrors.DiskNotFound(request.DiskId);
        if (!regions.Contains(disk.RegionId))
        {
            throw EcsErrors.DiskNotFound(request.DiskId);
        }

        if (!DiskSnapshots.CanSnapshot(disk))
        {
            throw SnapshotErrors.IncorrectDiskStatus();
        }

        var count = await db.Snapshots.CountAsync(s => s.SourceDiskId == disk.Id && s.AccountId == caller.AccountId, cancellationToken).ConfigureAwait(false);
        if (count >= SnapshotKinds.SnapshotsPerDisk)
        {
            throw SnapshotErrors.SnapshotQuota();
        }

        if (request.DryRun)
        {
            throw EcsErrors.DryRunPassed();
        }

        var store = stores[disk.RegionId];
        var snapshotId = ResourceIds.NewSnapshotId(disk.RegionId);
        var snapshot = await DiskSnapshots.TakeAsync(store, disk, snapshotId, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
        snapshot.Name = request.SnapshotName ?? "";
        snapshot.Description = request.Description ?? "";
        snapshot.RetentionDays = request.RetentionDays;
        db.Snapshots.Add(snapshot);
        db.Tags.AddRange(TagRules.Rows(SnapshotKinds.TagResourceType, snapshotId, disk.RegionId, tags));
        var task = tasks.Prepare(SnapshotKinds.CreateSnapshotTask, new SnapshotTaskPayload(snapshotId), new TaskScope(caller.AccountId, disk.RegionId, snapshotId));
        db.Tasks.Add(task);
        if (token is not null)
        {
            Idempotency.Record(db, caller, CreateAction, token, hash, snapshotId, snapshot.CreatedAt);
        }

        try
        {
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            await DiskSnapshots.DiscardAsync(store, [snapshotId]).ConfigureAwait(false);
            await using var retry = database.CreateContext();
            // A concurrent request with the same token won the race: answer as it did.
            return token is not null && await Idempotency.FindAsync<string>(retry, caller, CreateAction, token, hash, CancellationToken.None).ConfigureAwait(false) is { } winner
                ? winner
                : throw EcsErrors.Conflict();
        }

        tasks.Schedule(task.Id);
        return snapshotId;
    }

    /// <summary>
    /// Deletes the caller's snapshot: refused while any image (anyone's) maps it, and unless forced while disks
    /// were created from it. The row goes first, then the store snapshot.
    /// </summary>
    /// <param name="regionId">Optional (DeleteSnapshot documents none); when given, the snapshot must be there.</param>
    public async Task DeleteAsync(Caller caller, string? regionId, string snapshotId, bool force, CancellationToken cancellationToken)
    {
        if (regionId is not null)
        {
            regions.Require(regionId);
        }

        string snapshotRegion;
        for (var attempt = 0; ; attempt++)
        {
            await using var db = database.CreateContext();
            var snapshot = await db.Snapshots
                .FirstOrDefaultAsync(s => s.Id == snapshotId && s.AccountId == caller.AccountId && (regionId == null || s.RegionId == regionId), cancellationToken)
                .ConfigureAwait(false) ?? throw EcsErrors.SnapshotNotFound(snapshotId);
            snapshotRegion = snapshot.RegionId;
            if (!regions.Contains(snapshotRegion))
            {
                // A region this service no longer runs: its snapshots are out of reach, as if absent.
                throw EcsErrors.SnapshotNotFound(snapshotId);
            }

            if (await db.ImageDiskMappings.AnyAsync(m => m.SnapshotId == snapshotId, cancellationToken).ConfigureAwait(false))
            {
                throw SnapshotErrors.CreatedImage();
            }

            if (!force && await db.Disks.AnyAsync(d => d.SourceSnapshotId == snapshotId, cancellationToken).ConfigureAwait(false))
            {
                throw SnapshotErrors.CreatedDisk();
            }

            db.Snapshots.Remove(snapshot);
            db.Tags.RemoveRange(await db.Tags.Where(t => t.ResourceType == SnapshotKinds.TagResourceType && t.ResourceId == snapshotId)
                .ToListAsync(cancellationToken).ConfigureAwait(false));
            try
            {
                // The Version check loses against a CreateImage that just started using this snapshot.
                await Imago.Core.Billing.UsageRecorder.RecordChangesAsync(db, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false); // billing: same transaction
                await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
                break;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
            }
            catch (DbUpdateConcurrencyException)
            {
                throw EcsErrors.Conflict();
            }
        }

        try
        {
            await stores[snapshotRegion].DeleteSnapshotAsync(snapshotId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreException) when (!stores[snapshotRegion].SnapshotExists(snapshotId))
        {
        }
    }
}
