using Imago.Core.Compute;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Snapshots;

/// <summary>DescribeSnapshots: the caller's snapshots in a region, filtered, newest first.</summary>
public sealed class SnapshotQueries(ImagoDatabase database)
{
    public const int DefaultPageSize = 10;

    public async Task<Page<SnapshotView>> ListAsync(Caller caller, string regionId, SnapshotQuery query, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var snapshots = Filter(db, db.Snapshots.AsNoTracking().Where(s => s.AccountId == caller.AccountId && s.RegionId == regionId), query);
        var ordered = snapshots.OrderByDescending(s => s.CreatedAt).ThenBy(s => s.Id)
            .Select(s => new SnapshotRow(s, db.ImageDiskMappings.Any(m => m.SnapshotId == s.Id), db.Disks.Any(d => d.SourceSnapshotId == s.Id)));
        var page = await Paging.ApplyAsync(ordered, query.Paging ?? new PageRequest(), DefaultPageSize, cancellationToken).ConfigureAwait(false);
        var ids = page.Items.Select(r => r.Snapshot.Id).ToList();
        var tags = (await db.Tags.AsNoTracking()
                .Where(t => t.ResourceType == SnapshotKinds.TagResourceType && ids.Contains(t.ResourceId))
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(t => t.ResourceId, t => new KeyValuePair<string, string>(t.Key, t.Value));
        var views = page.Items.Select(r => new SnapshotView(r.Snapshot, SnapshotUsages.Of(r.UsedByImage, r.UsedByDisk),
            tags[r.Snapshot.Id].OrderBy(t => t.Key, StringComparer.Ordinal).ToList())).ToList();
        return new Page<SnapshotView>(views, page.TotalCount, page.PageNumber, page.PageSize, page.NextToken);
    }

    private static IQueryable<SnapshotEntity> Filter(ImagoDbContext db, IQueryable<SnapshotEntity> snapshots, SnapshotQuery query)
    {
        if (query.SnapshotIds is { } ids)
        {
            snapshots = snapshots.Where(s => ids.Contains(s.Id));
        }

        if (query.DiskId is { } diskId)
        {
            snapshots = snapshots.Where(s => s.SourceDiskId == diskId);
        }

        if (query.InstanceId is { } instanceId)
        {
            // Snapshots of the disks the instance has now.
            snapshots = snapshots.Where(s => db.Disks.Any(d => d.Id == s.SourceDiskId && d.InstanceId == instanceId));
        }

        if (query.SnapshotName is { } name)
        {
            snapshots = snapshots.Where(s => s.Name == name);
        }

        if (query.Status is { } status)
        {
            snapshots = snapshots.Where(s => s.Status == status);
        }

        if (query.SnapshotType is { } type)
        {
            snapshots = snapshots.Where(s => s.SnapshotType == type);
        }

        if (query.Encrypted == true)
        {
            // This service does not encrypt snapshots.
            snapshots = snapshots.Where(s => false);
        }

        if (query.CreatedFrom is { } from)
        {
            snapshots = snapshots.Where(s => s.CreatedAt >= from);
        }

        if (query.CreatedTo is { } to)
        {
            snapshots = snapshots.Where(s => s.CreatedAt <= to);
        }

        if (query.SourceDiskType is { } diskType)
        {
            snapshots = snapshots.Where(s => s.SourceDiskType == diskType);
        }

        snapshots = query.Usage switch
        {
            SnapshotUsages.Image => snapshots.Where(s => db.ImageDiskMappings.Any(m => m.SnapshotId == s.Id) && !db.Disks.Any(d => d.SourceSnapshotId == s.Id)),
            SnapshotUsages.Disk => snapshots.Where(s => !db.ImageDiskMappings.Any(m => m.SnapshotId == s.Id) && db.Disks.Any(d => d.SourceSnapshotId == s.Id)),
            SnapshotUsages.ImageDisk => snapshots.Where(s => db.ImageDiskMappings.Any(m => m.SnapshotId == s.Id) && db.Disks.Any(d => d.SourceSnapshotId == s.Id)),
            SnapshotUsages.None => snapshots.Where(s => !db.ImageDiskMappings.Any(m => m.SnapshotId == s.Id) && !db.Disks.Any(d => d.SourceSnapshotId == s.Id)),
            _ => snapshots,
        };

        foreach (var (key, value) in query.Tags ?? [])
        {
            snapshots = value.Length == 0
                ? snapshots.Where(s => db.Tags.Any(t => t.ResourceType == SnapshotKinds.TagResourceType && t.ResourceId == s.Id && t.Key == key))
                : snapshots.Where(s => db.Tags.Any(t => t.ResourceType == SnapshotKinds.TagResourceType && t.ResourceId == s.Id && t.Key == key && t.Value == value));
        }

        return snapshots;
    }

    private sealed record SnapshotRow(SnapshotEntity Snapshot, bool UsedByImage, bool UsedByDisk);
}
