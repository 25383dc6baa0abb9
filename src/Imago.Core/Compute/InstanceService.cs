using Imago.Core.Common;
using Imago.Core.Errors;
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
public sealed partial class InstanceService(
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
