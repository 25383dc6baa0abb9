using Imago.Core.Compute.Nbd;
using Imago.Core.Storage;
using Imago.Storage;
using Microsoft.Extensions.Logging;

namespace Imago.Core.Compute;

/// <summary>
/// The last step of deleting a disk, after its row is gone: cut its NBD connections (which flushes and closes the
/// shared volume), then delete the volume. A failure here leaves only bytes nothing points at, so it is logged,
/// not thrown: the deletion the caller asked for has happened.
/// </summary>
public sealed class DiskVolumes(RegionStores stores, DiskExports exports, ILogger<DiskVolumes> logger)
{
    public async Task DeleteAsync(string regionId, string diskId)
    {
        try
        {
            await exports.CloseAsync(diskId).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StoreException or IOException)
        {
            // The last flush of what clients wrote failed; the disk is deleted anyway, so its bytes do not matter.
            logger.LogWarning("closing the NBD exports of deleted disk {DiskId} failed: {Error}", diskId, e.Message);
        }

        try
        {
            if (stores.All.TryGetValue(regionId, out var store))
            {
                await store.DeleteVolumeAsync(diskId, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is StoreException or IOException)
        {
            logger.LogWarning("could not delete the volume of deleted disk {DiskId}: {Error}", diskId, e.Message);
        }
    }
}
