using Imago.Core.Common;
using Imago.Core.Ids;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Compute;

/// <summary>ReplaceSystemDisk.</summary>
public sealed partial class InstanceService
{
    /// <summary>
    /// ReplaceSystemDisk: the instance must be Stopped; the new system disk is a clone of the image (public or any
    /// other usable one without data-disk snapshots). The old system disk's row and volume are deleted.
    /// </summary>
    public async Task<string> ReplaceSystemDiskAsync(Caller caller, ReplaceSystemDiskRequest request, CancellationToken cancellationToken)
    {
        const string action = "ReplaceSystemDisk";
        var token = Idempotency.Validate(request.ClientToken);
        RequireRegion(request.RegionId);
        var hash = Idempotency.Hash(request with { ClientToken = null });
        DiskEntity? old;
        string newDiskId;
        await using (var db = database.CreateContext())
        {
            if (token is not null && await Idempotency.FindAsync<ReplaceSystemDiskResult>(db, caller, action, token, hash, cancellationToken)
                    .ConfigureAwait(false) is { } replayed)
            {
                return replayed.DiskId;
            }

            var instance = await FindInstanceAsync(db, caller, request.RegionId, request.InstanceId, cancellationToken).ConfigureAwait(false);
            if (instance.Status != InstanceStatuses.Stopped)
            {
                throw ComputeErrors.IncorrectInstanceStatus();
            }

            var store = stores[instance.RegionId];
            var volumes = new CreatedVolumes(store, logger, AfterVolumeCreated);
            var image = await UsableImages.ResolveAsync(db, caller, instance.RegionId, request.ImageId, null, cancellationToken).ConfigureAwait(false);
            if (UsableImages.DataMappings(image).Any(m => m.SnapshotId is not null))
            {
                throw ComputeErrors.ImageHasDataDiskSnapshots();
            }

            UsableImages.CheckRunsOn(image, instanceTypes.Find(instance.InstanceType) ?? throw ComputeErrors.InstanceTypeNotSupported());
            var (snapshotId, snapshotBytes) = await UsableImages.SystemSnapshotAsync(image, store, cancellationToken).ConfigureAwait(false);
            var imageSize = UsableImages.SizeGiB(image, snapshotBytes);
            old = await db.Disks.FirstOrDefaultAsync(
                d => d.InstanceId == instance.Id && d.AccountId == caller.AccountId && d.Type == DiskTypes.System, cancellationToken).ConfigureAwait(false);
            // Default: the old disk's size, or the image's when that is larger.
            var size = LaunchPlanner.SystemDiskSize(
                request.SizeGiB ?? Math.Max(DiskCategories.MinSystemDiskGiB, Math.Max(old?.SizeGiB ?? 0, imageSize)), imageSize);

            newDiskId = ResourceIds.NewDiskId(instance.RegionId);
            try
            {
                await volumes.CreateAsync(newDiskId, snapshotId, size, cancellationToken).ConfigureAwait(false);
                var now = time.GetUtcNow().UtcDateTime;
                db.Disks.Add(NewDisk(caller, instance, newDiskId, new DiskPlan(DiskTypes.System, old?.Category ?? DiskCategories.SystemDefault, size,
                    DiskCategories.Device(0), snapshotId, image.Id, old?.DeleteWithInstance ?? true, old?.Name ?? "", old?.Description ?? "", image.ProductCode),
                    now));
                if (old is not null)
                {
                    db.Disks.Remove(old);
                    await ComputeTags.RemoveAsync(db, ComputeTags.Disk, [old.Id], cancellationToken).ConfigureAwait(false);
                }

                instance.ImageId = image.Id;
                instance.ProductCode = image.ProductCode; // the vendor's charge follows the system disk
                instance.OSType = image.OSType;
                instance.OSName = image.OSName;
                instance.OSNameEn = image.OSNameEn;
                instance.Version++;
                if (token is not null)
                {
                    Idempotency.Record(db, caller, action, token, hash, new ReplaceSystemDiskResult(newDiskId), now);
                }

                await Imago.Core.Billing.UsageRecorder.RecordChangesAsync(db, now, cancellationToken).ConfigureAwait(false); // billing: same transaction
                await Commits.SaveOrConflictAsync(db).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                if (await UndoUnlessCommittedAsync(volumes, newDiskId).ConfigureAwait(false)
                    && token is not null && e is DbUpdateException
                    && await FindRecordedAsync<ReplaceSystemDiskResult>(caller, action, token, hash).ConfigureAwait(false) is { } winner)
                {
                    return winner.DiskId;
                }

                throw;
            }
        }

        if (old is not null)
        {
            await diskVolumes.DeleteAsync(old.RegionId, old.Id).ConfigureAwait(false);
        }

        return newDiskId;
    }
}
