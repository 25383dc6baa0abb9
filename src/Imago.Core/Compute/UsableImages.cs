using Imago.Core.Images;
using Imago.Core.Marketplace;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Storage;
using Imago.Storage.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Compute;

/// <summary>
/// The image an instance is launched from or a system disk is replaced with: visible to the caller in the region
/// (through <see cref="ImageAccess"/>), Available or Deprecated, allowed by its Marketplace product
/// (<see cref="MarketplaceRules"/>), runnable on the instance type, its bytes present.
/// </summary>
internal static class UsableImages
{
    public static async Task<ImageEntity> ResolveAsync(ImagoDbContext db, Caller caller, string regionId, string? imageId, string? family,
        CancellationToken cancellationToken)
    {
        if (imageId is not null)
        {
            var image = await ImageAccess.FindVisibleAsync(db, caller, regionId, imageId, cancellationToken).ConfigureAwait(false)
                ?? throw Errors.EcsErrors.ImageNotFound(imageId);
            if (image.Status is not (ImageStatuses.Available or ImageStatuses.Deprecated))
            {
                throw ComputeErrors.ImageNotValid();
            }

            await MarketplaceRules.CheckLaunchAsync(db, caller, image, cancellationToken).ConfigureAwait(false);
            return image;
        }

        if (family is null)
        {
            throw Errors.EcsErrors.MissingParameter("ImageId");
        }

        // ECS: "the latest available image in the family" (Deprecated ones are skipped).
        var latest = await ImageAccess.Visible(db, caller, regionId).Include(i => i.DiskMappings)
                   .Where(i => i.Family == family && i.Status == ImageStatuses.Available)
                   .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id)
                   .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
               ?? throw ComputeErrors.ImageFamilyHasNoImage();
        await MarketplaceRules.CheckLaunchAsync(db, caller, latest, cancellationToken).ConfigureAwait(false);
        return latest;
    }

    /// <summary>An image runs on types of its architecture; 32-bit images only where memory is under 4 GiB (ECS limit).</summary>
    public static void CheckRunsOn(ImageEntity image, InstanceTypeInfo type)
    {
        var is32Bit = image.Architecture == "i386";
        var architecture = is32Bit ? "x86_64" : image.Architecture;
        if (type.Architecture != architecture || (is32Bit && type.MemorySize >= 4))
        {
            throw ComputeErrors.ImageNotSupportInstanceType();
        }
    }

    /// <summary>The system disk mapping and the size of its snapshot in the store; an image without them is not usable.</summary>
    public static async Task<(string SnapshotId, long Bytes)> SystemSnapshotAsync(ImageEntity image, BlockStore store, CancellationToken cancellationToken)
    {
        var snapshotId = image.DiskMappings.FirstOrDefault(m => m.Index == 0)?.SnapshotId;
        var record = snapshotId is not null && VersionId.IsValid(snapshotId)
            ? await store.TryGetSnapshotRecordAsync(snapshotId, cancellationToken).ConfigureAwait(false)
            : null;
        if (snapshotId is null || record is null)
        {
            throw ComputeErrors.ImageNotValid();
        }

        return (snapshotId, record.Size);
    }

    /// <summary>The image's size in GiB: its declared size, or more when its system snapshot is larger.</summary>
    public static int SizeGiB(ImageEntity image, long systemSnapshotBytes) => Math.Max(image.SizeGiB, DiskCategories.GiB(systemSnapshotBytes));

    public static IEnumerable<ImageDiskMappingEntity> DataMappings(ImageEntity image) =>
        image.DiskMappings.Where(m => m.Index > 0).OrderBy(m => m.Index);
}
