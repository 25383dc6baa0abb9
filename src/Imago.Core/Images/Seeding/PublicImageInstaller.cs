using Imago.Core.Images.PublicCatalog;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Storage;
using Imago.Storage.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Images.Seeding;

/// <summary>
/// Puts a public image's rows in one region once its bytes are a snapshot in that region's store: the image, its
/// system-disk mapping and the system-owned snapshot row (AccountId null), in one transaction. Bytes come first,
/// so a crash leaves at most an unreferenced store snapshot, never a row pointing at missing bytes.
/// </summary>
public sealed class PublicImageInstaller(ImagoDatabase database, RegionStores stores)
{
    private const long GiB = 1024L * 1024 * 1024;

    /// <summary>
    /// Adds the images of <paramref name="entries"/> that <paramref name="regionId"/> lacks (each with the snapshot
    /// already in the region's store), all in one transaction: one commit for the region instead of one per image.
    /// Returns how many were added; an image that exists is left alone.
    /// </summary>
    public async Task<int> AddMissingAsync(string regionId, IReadOnlyList<(PublicImageDefinition Definition, string SnapshotId)> entries,
        CancellationToken cancellationToken)
    {
        var infos = new Dictionary<string, VersionInfo>(StringComparer.Ordinal);
        foreach (var (_, snapshotId) in entries)
        {
            infos[snapshotId] = await stores[regionId].GetInfoAsync(VersionKind.Snapshot, snapshotId, cancellationToken).ConfigureAwait(false);
        }

        // Another seeder on the same database may commit some of these rows first: the transaction fails on the
        // duplicate and a retry, which reads what now exists, adds only the rest. A real failure fails every time.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAddMissingAsync(regionId, entries, infos, cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
            }
        }
    }

    private async Task<int> TryAddMissingAsync(string regionId, IReadOnlyList<(PublicImageDefinition Definition, string SnapshotId)> entries,
        Dictionary<string, VersionInfo> infos, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var imageIds = entries.Select(e => e.Definition.ImageId).ToList();
        var snapshotIds = entries.Select(e => e.SnapshotId).ToList();
        var existingImages = (await db.Images.Where(i => i.RegionId == regionId && imageIds.Contains(i.Id)).Select(i => i.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var existingSnapshots = (await db.Snapshots.Where(s => snapshotIds.Contains(s.Id)).Select(s => s.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var added = 0;
        foreach (var (definition, snapshotId) in entries.Where(e => !existingImages.Contains(e.Definition.ImageId)))
        {
            var snapshot = SnapshotRow(regionId, snapshotId, definition.ReleaseDate, infos[snapshotId]);
            var image = new ImageEntity { RegionId = regionId, Id = definition.ImageId, Kind = ImageKinds.Public, Name = definition.ImageName, Status = ImageStatuses.Available };
            Apply(image, definition, snapshot);
            db.Images.Add(image);
            if (existingSnapshots.Add(snapshotId))
            {
                db.Snapshots.Add(snapshot);
            }

            added++;
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <summary>
    /// Adds the image, or points the existing one at <paramref name="snapshotId"/> with the new metadata, in one
    /// transaction. Returns the snapshot the image used before (null if none), for <see cref="RemoveUnusedSnapshotAsync"/>.
    /// </summary>
    public async Task<string?> AddOrReplaceAsync(string regionId, PublicImageDefinition definition, string snapshotId, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotRowAsync(regionId, snapshotId, definition.ReleaseDate, cancellationToken).ConfigureAwait(false);
        string? oldSnapshotId;
        await using (var db = database.CreateContext())
        {
            var image = await db.Images.Include(i => i.DiskMappings)
                .FirstOrDefaultAsync(i => i.RegionId == regionId && i.Id == definition.ImageId, cancellationToken).ConfigureAwait(false);
            if (image is not null && image.Kind != ImageKinds.Public)
            {
                throw new InvalidOperationException($"image '{definition.ImageId}' in {regionId} is not a public image");
            }

            oldSnapshotId = image?.DiskMappings.FirstOrDefault(m => m.Index == 0)?.SnapshotId;
            if (image is null)
            {
                image = new ImageEntity { RegionId = regionId, Id = definition.ImageId, Kind = ImageKinds.Public, Name = definition.ImageName, Status = ImageStatuses.Available };
                db.Images.Add(image);
            }
            else
            {
                db.ImageDiskMappings.RemoveRange(image.DiskMappings);
                image.DiskMappings.Clear();
                image.Version++;
            }

            Apply(image, definition, snapshot);
            db.Snapshots.Add(snapshot);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        return oldSnapshotId == snapshotId ? null : oldSnapshotId;
    }

    /// <summary>
    /// Removes a system snapshot's row and store object unless a disk was created from it or an image still maps it.
    /// A disk keeps its bytes either way (volumes share chunks; the store's GC keeps them while any volume uses
    /// them); the row stays so that the disk's SourceSnapshotId still names a snapshot.
    /// </summary>
    public async Task RemoveUnusedSnapshotAsync(string regionId, string snapshotId, CancellationToken cancellationToken)
    {
        await using (var db = database.CreateContext())
        {
            var usedByDisk = await db.Disks.AnyAsync(d => d.SourceSnapshotId == snapshotId, cancellationToken).ConfigureAwait(false);
            var usedByImage = await db.ImageDiskMappings.AnyAsync(m => m.SnapshotId == snapshotId, cancellationToken).ConfigureAwait(false);
            if (usedByDisk || usedByImage)
            {
                return;
            }

            // Row first, then bytes: nothing may point at a deleted store snapshot.
            await db.Snapshots.Where(s => s.Id == snapshotId && s.AccountId == null).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var store = stores[regionId];
        if (store.SnapshotExists(snapshotId))
        {
            await store.DeleteSnapshotAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SnapshotEntity> SnapshotRowAsync(string regionId, string snapshotId, DateTime createdAt, CancellationToken cancellationToken) =>
        SnapshotRow(regionId, snapshotId, createdAt,
            await stores[regionId].GetInfoAsync(VersionKind.Snapshot, snapshotId, cancellationToken).ConfigureAwait(false));

    private static SnapshotEntity SnapshotRow(string regionId, string snapshotId, DateTime createdAt, VersionInfo info) => new()
    {
        Id = snapshotId,
        AccountId = null,
        RegionId = regionId,
        Status = SnapshotStatuses.Accomplished,
        Progress = 100,
        SourceDiskType = "system",
        SourceDiskSizeGiB = SizeGiB(info.Size),
        SnapshotType = "user",
        StoredBytes = info.UniqueBytes,
        CreatedAt = createdAt,
    };

    private static void Apply(ImageEntity image, PublicImageDefinition definition, SnapshotEntity snapshot)
    {
        image.Name = definition.ImageName;
        image.Description = definition.Description;
        image.Family = definition.ImageFamily;
        image.Status = ImageStatuses.Available;
        image.Progress = 100;
        image.OSType = definition.OSType;
        image.Platform = definition.Platform;
        image.OSName = definition.OSName;
        image.OSNameEn = definition.OSNameEn;
        image.Architecture = definition.Architecture;
        image.BootMode = definition.BootMode;
        image.SizeGiB = Math.Max(definition.SizeGiB, snapshot.SourceDiskSizeGiB);
        image.IsSupportCloudinit = definition.IsSupportCloudinit;
        image.IsSupportIoOptimized = definition.IsSupportIoOptimized;
        image.NvmeSupport = definition.NvmeSupport;
        image.ImdsSupport = definition.ImdsSupport;
        image.CreatedAt = definition.ReleaseDate;
        image.DiskMappings.Add(new ImageDiskMappingEntity
        {
            RegionId = image.RegionId,
            ImageId = image.Id,
            Index = 0,
            Type = "system",
            Device = "/dev/xvda",
            SnapshotId = snapshot.Id,
            SizeGiB = image.SizeGiB,
            Progress = 100,
        });
    }

    internal static int SizeGiB(long bytes) => (int)Math.Min(int.MaxValue, (bytes + GiB - 1) / GiB);
}
