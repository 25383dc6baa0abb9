using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Snapshots;

/// <summary>DescribeSnapshots: the caller's snapshots in a region, filtered, newest first.</summary>
public sealed class SnapshotQueries(ImagoDatabase database)
{
    public async Task<(IReadOnlyList<SnapshotView> Page, int TotalCount)> ListAsync(Caller caller, string regionId, SnapshotQuery query, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var snapshots = Filter(db, db.Snapshots.AsNoTracking().Where(s => s.AccountId == caller.AccountId && s.RegionId == regionId), query);
        var total = await snapshots.CountAsync(cancellationToken).ConfigureAwait(false);
        var rows = await snapshots.OrderByDescending(s => s.CreatedAt).ThenBy(s => s.Id)
            .Skip(query.Skip).Take(query.Take)
            .Select(s => new
            {
                Snapshot = s,
                UsedByImage = db.ImageDiskMappings.Any(m => m.SnapshotId == s.Id),
                UsedByDisk = db.Disks.Any(d => d.SourceSnapshotId == s.Id),
            })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var ids = rows.Select(r => r.Snapshot.Id).ToList();
        var tags = (await db.Tags.AsNoTracking()
                .Where(t => t.ResourceType == SnapshotKinds.TagResourceType && ids.Contains(t.ResourceId))
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(t => t.ResourceId, t => new KeyValuePair<string, string>(t.Key, t.Value));
        var page = rows.Select(r => new SnapshotView(r.Snapshot, SnapshotUsages.Of(r.UsedByImage, r.UsedByDisk),
            tags[r.Snapshot.Id].OrderBy(t => t.Key, StringComparer.Ordinal).ToList())).ToList();
        return (page, total);
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
}
