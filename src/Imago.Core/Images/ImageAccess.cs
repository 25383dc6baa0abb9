using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Images;

/// <summary>
/// Which images an account may see and use in a region: public images, its own, those shared with it, and
/// marketplace images. Every action that takes an ImageId goes through here, so isolation has one gate.
/// </summary>
public static class ImageAccess
{
    /// <summary>Images of <paramref name="regionId"/> visible to <paramref name="caller"/> (any status).</summary>
    public static IQueryable<ImageEntity> Visible(ImagoDbContext db, Caller caller, string regionId) =>
        db.Images.Where(i => i.RegionId == regionId && (
            i.Kind == ImageKinds.Public
            || i.Kind == ImageKinds.Marketplace
            || i.OwnerAccountId == caller.AccountId
            || db.ImageShares.Any(s => s.RegionId == i.RegionId && s.ImageId == i.Id && s.AccountId == caller.AccountId)));

    /// <summary>The visible image, with its disk mappings, or null.</summary>
    public static Task<ImageEntity?> FindVisibleAsync(ImagoDbContext db, Caller caller, string regionId, string imageId, CancellationToken cancellationToken) =>
        Visible(db, caller, regionId).Include(i => i.DiskMappings).FirstOrDefaultAsync(i => i.Id == imageId, cancellationToken);

    /// <summary>The caller's own image (custom images it may modify or delete), with its disk mappings, or null.</summary>
    public static Task<ImageEntity?> FindOwnAsync(ImagoDbContext db, Caller caller, string regionId, string imageId, CancellationToken cancellationToken) =>
        db.Images.Include(i => i.DiskMappings)
            .FirstOrDefaultAsync(i => i.RegionId == regionId && i.Id == imageId && i.OwnerAccountId == caller.AccountId, cancellationToken);
}
