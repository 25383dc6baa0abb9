using Imago.Core.Common;
using Imago.Core.Errors;
using Imago.Core.Ids;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Compute;

/// <summary>RunInstances and CreateInstance.</summary>
public sealed partial class InstanceService
{
    /// <summary>RunInstances: the instances start Running at once (see docs/api.md).</summary>
    public Task<LaunchResult> RunInstancesAsync(Caller caller, LaunchRequest request, CancellationToken cancellationToken) =>
        LaunchAsync(caller, "RunInstances", request, InstanceStatuses.Running, cancellationToken);

    /// <summary>CreateInstance: one instance, Stopped, as on ECS.</summary>
    public async Task<string> CreateInstanceAsync(Caller caller, LaunchRequest request, CancellationToken cancellationToken) =>
        (await LaunchAsync(caller, "CreateInstance", request with { Amount = 1, MinAmount = null }, InstanceStatuses.Stopped, cancellationToken)
            .ConfigureAwait(false)).InstanceIds[0];

    /// <summary>
    /// The console's create form: RunInstances' Amount (1-100, all or none), each instance created Stopped as
    /// CreateInstance creates its one. The API has no such action; RunInstances starts its instances.
    /// </summary>
    public Task<LaunchResult> CreateInstancesAsync(Caller caller, LaunchRequest request, CancellationToken cancellationToken) =>
        LaunchAsync(caller, "CreateInstance", request, InstanceStatuses.Stopped, cancellationToken);

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
                    db.Disks.Add(NewDisk(caller, instance, diskId, disk, now));
                    ComputeTags.Add(db, ComputeTags.Disk, diskId, instance.RegionId, request.Tags);
                }
            }

            var result = new LaunchResult(instanceIds);
            if (token is not null)
            {
                Idempotency.Record(db, caller, action, token, hash, result, now);
            }

            await Imago.Core.Billing.UsageRecorder.RecordChangesAsync(db, now, cancellationToken).ConfigureAwait(false); // billing: same transaction
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
            ProductCode = plan.Image.ProductCode,
            Status = status,
            OSType = plan.Image.OSType,
            OSName = plan.Image.OSName,
            OSNameEn = plan.Image.OSNameEn,
            CreatedAt = now,
        };
    }

    private static DiskEntity NewDisk(Caller caller, InstanceEntity instance, string diskId, DiskPlan plan, DateTime now) => new()
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
        ProductCode = plan.ProductCode,
        CreatedAt = now,
    };
}
