using Imago.Core.Regions;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Compute;

/// <summary>DescribeDisks filters (null: no filter).</summary>
public sealed record DiskFilter
{
    public required string RegionId { get; init; }

    public IReadOnlyList<string>? DiskIds { get; init; }

    public string? InstanceId { get; init; }

    /// <summary><c>system</c> or <c>data</c> (null or <c>all</c>: both).</summary>
    public string? DiskType { get; init; }

    public string? Category { get; init; }

    /// <summary>A <see cref="DiskStatuses"/> value (null or <c>All</c>: any).</summary>
    public string? Status { get; init; }

    public string? SnapshotId { get; init; }

    public string? ZoneId { get; init; }

    public string? DiskName { get; init; }

    public bool? DeleteWithInstance { get; init; }
}

/// <summary>A disk with its tags.</summary>
public sealed record DiskDetails(DiskEntity Disk, IReadOnlyList<KeyValuePair<string, string>> Tags);

/// <summary>Disks: DescribeDisks over the caller's disks in a region, and DeleteDisk of a detached one.</summary>
public sealed class DiskService(ImagoDatabase database, RegionCatalog regions, DiskVolumes volumes)
{
    public const int DefaultPageSize = 10;

    public async Task<Page<DiskDetails>> DescribeAsync(Caller caller, DiskFilter filter, PageRequest paging, CancellationToken cancellationToken)
    {
        regions.Require(filter.RegionId);
        await using var db = database.CreateContext();
        var query = db.Disks.AsNoTracking().Where(d => d.AccountId == caller.AccountId && d.RegionId == filter.RegionId);
        if (filter.DiskIds is { } ids)
        {
            query = query.Where(d => ids.Contains(d.Id));
        }

        if (filter.InstanceId is { } instanceId)
        {
            query = query.Where(d => d.InstanceId == instanceId);
        }

        if (filter.DiskType is { } type && type != "all")
        {
            query = query.Where(d => d.Type == type);
        }

        if (filter.Category is { } category)
        {
            query = query.Where(d => d.Category == category);
        }

        if (filter.Status is { } status && status != "All")
        {
            query = query.Where(d => d.Status == status);
        }

        if (filter.SnapshotId is { } snapshotId)
        {
            query = query.Where(d => d.SourceSnapshotId == snapshotId);
        }

        if (filter.ZoneId is { } zoneId)
        {
            query = query.Where(d => d.ZoneId == zoneId);
        }

        if (filter.DiskName is { } name)
        {
            var pattern = Paging.LikePattern(name);
            query = query.Where(d => EF.Functions.Like(d.Name, pattern, "\\"));
        }

        if (filter.DeleteWithInstance is { } deleteWithInstance)
        {
            query = query.Where(d => d.DeleteWithInstance == deleteWithInstance);
        }

        // An instance's disks in device order (system first), instances in creation order.
        var ordered = query.OrderBy(d => d.CreatedAt).ThenBy(d => d.InstanceId).ThenBy(d => d.Device).ThenBy(d => d.Id);
        var page = await Paging.ApplyAsync(ordered, paging, DefaultPageSize, cancellationToken).ConfigureAwait(false);
        var tags = await ComputeTags.LoadAsync(db, ComputeTags.Disk, [.. page.Items.Select(d => d.Id)], cancellationToken).ConfigureAwait(false);
        return new Page<DiskDetails>([.. page.Items.Select(d => new DiskDetails(d, tags.GetValueOrDefault(d.Id) ?? []))],
            page.TotalCount, page.PageNumber, page.PageSize, page.NextToken);
    }

    /// <summary>
    /// DeleteDisk: only a disk no instance holds (Available); an instance's disks go with DeleteInstance or stay
    /// detached (DeleteWithInstance=false). The row goes first, then the volume (its connections are cut).
    /// </summary>
    public async Task DeleteAsync(Caller caller, string diskId, CancellationToken cancellationToken)
    {
        DiskEntity disk;
        await using (var db = database.CreateContext())
        {
            disk = await db.Disks.FirstOrDefaultAsync(d => d.Id == diskId && d.AccountId == caller.AccountId, cancellationToken).ConfigureAwait(false)
                is { } found && regions.Contains(found.RegionId)
                ? found
                : throw Errors.EcsErrors.DiskNotFound(diskId);
            if (disk.InstanceId is not null || disk.Status != DiskStatuses.Available)
            {
                throw ComputeErrors.IncorrectDiskStatus();
            }

            db.Disks.Remove(disk);
            await ComputeTags.RemoveAsync(db, ComputeTags.Disk, [disk.Id], cancellationToken).ConfigureAwait(false);
            await Commits.SaveOrConflictAsync(db).ConfigureAwait(false);
        }

        await volumes.DeleteAsync(disk.RegionId, disk.Id).ConfigureAwait(false);
    }
}
