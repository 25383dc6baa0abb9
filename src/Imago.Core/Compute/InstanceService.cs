using Imago.Core.Common;
using Imago.Core.Errors;
using Imago.Core.Ids;
using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Imago.Core.Compute;

/// <summary>The result of RunInstances / CreateInstance (also what a ClientToken replays).</summary>
public sealed record LaunchResult(string[] InstanceIds);

/// <summary>The result of ReplaceSystemDisk (also what a ClientToken replays).</summary>
public sealed record ReplaceSystemDiskResult(string DiskId);

/// <summary>
/// Instances: launch (RunInstances, CreateInstance), start, stop, delete, replace the system disk. Every disk is
/// a volume in the region's block store cloned from a snapshot (metadata only, whatever the size), created before
/// the rows that point at it are committed, and deleted after its row is.
/// </summary>
public sealed class InstanceService(
    ImagoDatabase database,
    RegionStores stores,
    RegionCatalog regions,
    InstanceTypeCatalog instanceTypes,
    DiskVolumes diskVolumes,
    TimeProvider time,
    ILogger<InstanceService> logger)
{
    private readonly LaunchPlanner _planner = new(regions, instanceTypes, stores);

    /// <summary>Test hook: runs after each volume an operation creates (to make a step fail midway).</summary>
    internal Func<string, CancellationToken, ValueTask>? AfterVolumeCreated { get; set; }

    /// <summary>RunInstances: the instances start Running at once (see docs/api.md).</summary>
    public Task<LaunchResult> RunInstancesAsync(Caller caller, LaunchRequest request, CancellationToken cancellationToken) =>
        LaunchAsync(caller, "RunInstances", request, InstanceStatuses.Running, cancellationToken);

    /// <summary>CreateInstance: one instance, Stopped, as on ECS.</summary>
    public async Task<string> CreateInstanceAsync(Caller caller, LaunchRequest request, CancellationToken cancellationToken) =>
        (await LaunchAsync(caller, "CreateInstance", request with { Amount = 1, MinAmount = null }, InstanceStatuses.Stopped, cancellationToken)
            .ConfigureAwait(false)).InstanceIds[0];

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
            await Commits.SaveOrConflictAsync(db).ConfigureAwait(false);
        }

        foreach (var disk in deleted)
        {
            await diskVolumes.DeleteAsync(disk.RegionId, disk.Id).ConfigureAwait(false);
        }
    }

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
                    DiskCategories.Device(0), snapshotId, image.Id, old?.DeleteWithInstance ?? true, old?.Name ?? "", old?.Description ?? ""), image, now));
                if (old is not null)
                {
                    db.Disks.Remove(old);
                    await ComputeTags.RemoveAsync(db, ComputeTags.Disk, [old.Id], cancellationToken).ConfigureAwait(false);
                }

                instance.ImageId = image.Id;
                instance.OSType = image.OSType;
                instance.OSName = image.OSName;
                instance.OSNameEn = image.OSNameEn;
                instance.Version++;
                if (token is not null)
                {
                    Idempotency.Record(db, caller, action, token, hash, new ReplaceSystemDiskResult(newDiskId), now);
                }

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

    private async Task<LaunchResult> LaunchAsync(Caller caller, string action, LaunchRequest request, string initialStatus,
        CancellationToken cancellationToken)
    {
        var token = Idempotency.Validate(request.ClientToken);
        regions.Require(request.RegionId);
        LaunchPlanner.CheckShape(request);
        var hash = Idempotency.Hash(request with { ClientToken = null, DryRun = false });
        await using var db = database.CreateContext();
        if (token is not null && !request.DryRun
            && await Idempotency.FindAsync<LaunchResult>(db, caller, action, token, hash, cancellationToken).ConfigureAwait(false) is { } replayed)
        {
            return replayed;
        }

        var plan = await _planner.PlanAsync(db, caller, request, cancellationToken).ConfigureAwait(false);
        if (request.DryRun)
        {
            throw EcsErrors.DryRunPassed();
        }

        var volumes = new CreatedVolumes(stores[request.RegionId], logger, AfterVolumeCreated);
        var instanceIds = new string[request.Amount];
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            for (var n = 0; n < request.Amount; n++)
            {
                var instance = NewInstance(caller, request, plan, initialStatus, now);
                instanceIds[n] = instance.Id;
                db.Instances.Add(instance);
                ComputeTags.Add(db, ComputeTags.Instance, instance.Id, instance.RegionId, request.Tags);
                foreach (var disk in plan.Disks)
                {
                    var diskId = ResourceIds.NewDiskId(request.RegionId);
                    await volumes.CreateAsync(diskId, disk.CloneFrom, disk.SizeGiB, cancellationToken).ConfigureAwait(false);
                    db.Disks.Add(NewDisk(caller, instance, diskId, disk, plan.Image, now));
                    ComputeTags.Add(db, ComputeTags.Disk, diskId, instance.RegionId, request.Tags);
                }
            }

            var result = new LaunchResult(instanceIds);
            if (token is not null)
            {
                Idempotency.Record(db, caller, action, token, hash, result, now);
            }

            await Commits.SaveOrConflictAsync(db).ConfigureAwait(false);
            return result;
        }
        catch (Exception e)
        {
            if (await UndoUnlessCommittedAsync(volumes, volumes.Ids.FirstOrDefault()).ConfigureAwait(false)
                && token is not null && e is DbUpdateException
                && await FindRecordedAsync<LaunchResult>(caller, action, token, hash).ConfigureAwait(false) is { } winner)
            {
                return winner; // a concurrent request with the same token won the race
            }

            throw;
        }
    }

    private static InstanceEntity NewInstance(Caller caller, LaunchRequest request, LaunchPlan plan, string status, DateTime now)
    {
        var id = ResourceIds.NewInstanceId(request.RegionId);
        return new InstanceEntity
        {
            Id = id,
            AccountId = caller.AccountId,
            RegionId = request.RegionId,
            ZoneId = plan.ZoneId,
            Name = request.InstanceName ?? id,
            Description = request.Description ?? "",
            HostName = request.HostName ?? $"iZ{id[2..]}Z",
            InstanceType = plan.InstanceType.InstanceTypeId,
            ImageId = plan.Image.Id,
            Status = status,
            OSType = plan.Image.OSType,
            OSName = plan.Image.OSName,
            OSNameEn = plan.Image.OSNameEn,
            CreatedAt = now,
        };
    }

    private static DiskEntity NewDisk(Caller caller, InstanceEntity instance, string diskId, DiskPlan plan, ImageEntity image, DateTime now) => new()
    {
        Id = diskId,
        AccountId = caller.AccountId,
        RegionId = instance.RegionId,
        ZoneId = instance.ZoneId,
        Name = plan.Name,
        Description = plan.Description,
        Type = plan.Type,
        Category = plan.Category,
        SizeGiB = plan.SizeGiB,
        Status = DiskStatuses.InUse,
        InstanceId = instance.Id,
        Device = plan.Device,
        DeleteWithInstance = plan.DeleteWithInstance,
        ImageId = plan.ImageId,
        SourceSnapshotId = plan.CloneFrom ?? "",
        ProductCode = plan.Type == DiskTypes.System ? image.ProductCode : "",
        CreatedAt = now,
    };

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

    /// <summary>
    /// The caller's instance (in <paramref name="regionId"/> when given: StartInstance, StopInstance, DeleteInstance
    /// and ReplaceSystemDisk take no RegionId on ECS); any other answers exactly like a missing one.
    /// </summary>
    private async Task<InstanceEntity> FindInstanceAsync(ImagoDbContext db, Caller caller, string? regionId, string instanceId,
        CancellationToken cancellationToken) =>
        await db.Instances.FirstOrDefaultAsync(
                i => i.Id == instanceId && i.AccountId == caller.AccountId && (regionId == null || i.RegionId == regionId), cancellationToken)
            .ConfigureAwait(false) is { } instance && regions.Contains(instance.RegionId)
            ? instance
            : throw EcsErrors.InstanceNotFound(instanceId);

    private void RequireRegion(string? regionId)
    {
        if (regionId is not null)
        {
            regions.Require(regionId);
        }
    }

    /// <summary>
    /// After a failure: deletes the operation's volumes unless its rows were committed after all (a commit whose
    /// acknowledgement was lost). Returns true when the volumes were deleted.
    /// </summary>
    private async Task<bool> UndoUnlessCommittedAsync(CreatedVolumes volumes, string? firstDiskId)
    {
        if (firstDiskId is not null)
        {
            await using var db = database.CreateContext();
            if (await db.Disks.AnyAsync(d => d.Id == firstDiskId, CancellationToken.None).ConfigureAwait(false))
            {
                return false;
            }
        }

        await volumes.DeleteAllAsync().ConfigureAwait(false);
        return true;
    }

    private async Task<T?> FindRecordedAsync<T>(Caller caller, string action, string token, string hash) where T : class
    {
        await using var db = database.CreateContext();
        return await Idempotency.FindAsync<T>(db, caller, action, token, hash, CancellationToken.None).ConfigureAwait(false);
    }
}
