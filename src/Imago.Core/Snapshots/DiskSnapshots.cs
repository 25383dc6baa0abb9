using Imago.Core.Errors;
using Imago.Data.Entities;
using Imago.Storage;

namespace Imago.Core.Snapshots;

/// <summary>
/// Takes the block-store snapshot of a disk (committing what NBD clients wrote: O(metadata)) and builds the row
/// that will point at it. Bytes first: the row is saved only after the store snapshot exists.
/// </summary>
internal static class DiskSnapshots
{
    /// <summary>Disks in these states have bytes that can be snapshotted.</summary>
    public static bool CanSnapshot(DiskEntity disk) => disk.Status is DiskStatuses.Available or DiskStatuses.InUse;

    public static async Task<SnapshotEntity> TakeAsync(BlockStore store, DiskEntity disk, string snapshotId, DateTime now, CancellationToken cancellationToken)
    {
        try
        {
            await store.SnapshotAsync(disk.Id, snapshotId, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException) when (!store.VolumeExists(disk.Id))
        {
            // The disk was deleted meanwhile.
            throw EcsErrors.DiskNotFound(disk.Id);
        }

        return new SnapshotEntity
        {
            Id = snapshotId,
            AccountId = disk.AccountId,
            RegionId = disk.RegionId,
            Status = SnapshotStatuses.Progressing,
            Progress = 0,
            SourceDiskId = disk.Id,
            SourceDiskType = disk.Type,
            SourceDiskSizeGiB = disk.SizeGiB,
            SnapshotType = "user",
            ProductCode = disk.ProductCode,
            DiskImageId = disk.ImageId,
            CreatedAt = now,
        };
    }

    /// <summary>Removes store snapshots whose rows could not be saved (best effort: an orphan only costs space).</summary>
    public static async Task DiscardAsync(BlockStore store, IEnumerable<string> snapshotIds)
    {
        foreach (var id in snapshotIds)
        {
            try
            {
                await store.DeleteSnapshotAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (StoreException)
            {
            }
        }
    }
}
