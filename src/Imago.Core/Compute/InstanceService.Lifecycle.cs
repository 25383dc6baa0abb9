using Imago.Core.Errors;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Compute;

/// <summary>StartInstance, StopInstance, DeleteInstance.</summary>
public sealed partial class InstanceService
{

    public Task StartInstanceAsync(Caller caller, string? regionId, string instanceId, bool dryRun, CancellationToken cancellationToken) =>
        ChangeStatusAsync(caller, regionId, instanceId, InstanceStatuses.Stopped, InstanceStatuses.Running, dryRun, cancellationToken);

    public Task StopInstanceAsync(Caller caller, string? regionId, string instanceId, bool dryRun, CancellationToken cancellationToken) =>
        ChangeStatusAsync(caller, regionId, instanceId, InstanceStatuses.Running, InstanceStatuses.Stopped, dryRun, cancellationToken);

    /// <summary>
    /// Deletes a Stopped instance (any status with <paramref name="force"/>) with its DeleteWithInstance disks;
    /// its other disks stay, detached (Available). Rows first, then the volumes (connections to them are cut).
    /// </summary>
    public async Task DeleteInstanceAsync(Caller caller, string? regionId, string instanceId, bool force, bool dryRun, CancellationToken cancellationToken)
    {
        RequireRegion(regionId);
        List<DiskEntity> deleted;
        await using (var db = database.CreateContext())
        {
            var instance = await FindInstanceAsync(db, caller, regionId, instanceId, cancellationToken).ConfigureAwait(false);
            if (!force && instance.Status != InstanceStatuses.Stopped)
            {
                throw ComputeErrors.IncorrectInstanceStatus();
            }

            if (dryRun)
            {
                throw EcsErrors.DryRunPassed();
            }

            var disks = await db.Disks.Where(d => d.InstanceId == instance.Id && d.AccountId == caller.AccountId)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            deleted = [.. disks.Where(d => d.DeleteWithInstance)];
            db.Disks.RemoveRange(deleted);
            await ComputeTags.RemoveAsync(db, ComputeTags.Disk, [.. deleted.Select(d => d.Id)], cancellationToken).ConfigureAwait(false);
            await ComputeTags.RemoveAsync(db, ComputeTags.Instance, [instance.Id], cancellationToken).ConfigureAwait(false);
            foreach (var kept in disks.Where(d => !d.DeleteWithInstance))
            {
                kept.InstanceId = null;
                kept.Device = "";
                kept.Status = DiskStatuses.Available;
                kept.Version++;
            }

            db.Instances.Remove(instance);
            await Imago.Core.Billing.UsageRecorder.RecordChangesAsync(db, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false); // billing: same transaction
            await Commits.SaveOrConflictAsync(db).ConfigureAwait(false);
        }

        foreach (var disk in deleted)
        {
            await diskVolumes.DeleteAsync(disk.RegionId, disk.Id).ConfigureAwait(false);
        }
    }

    private async Task ChangeStatusAsync(Caller caller, string? regionId, string instanceId, string from, string to, bool dryRun,
        CancellationToken cancellationToken)
    {
        RequireRegion(regionId);
        await using var db = database.CreateContext();
        var instance = await FindInstanceAsync(db, caller, regionId, instanceId, cancellationToken).ConfigureAwait(false);
        if (instance.Status != from)
        {
            throw ComputeErrors.IncorrectInstanceStatus();
        }

        if (dryRun)
        {
            throw EcsErrors.DryRunPassed();
        }

        instance.Status = to;
        instance.Version++;
        await Commits.SaveOrConflictAsync(db).ConfigureAwait(false);
    }
}
