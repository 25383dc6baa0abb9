using System.Linq.Expressions;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Images;

/// <summary>
/// Whether instances use an image: an instance whose system disk came from it (InstanceEntity.ImageId) or any disk
/// created from it (DiskEntity.ImageId, which covers data disks from image mappings).
/// </summary>
public static class ImageUsage
{
    /// <summary>
    /// DescribeImages' Usage as one caller sees it: the caller's own instances count, and for the caller's own
    /// images every account's (an owner sees that a shared image is in use; nobody learns of others' instances).
    /// </summary>
    public static Expression<Func<ImageEntity, bool>> InUseFor(ImagoDbContext db, long accountId) =>
        i => db.Instances.Any(x => x.RegionId == i.RegionId && x.ImageId == i.Id && (x.AccountId == accountId || i.OwnerAccountId == accountId))
            || db.Disks.Any(d => d.RegionId == i.RegionId && d.ImageId == i.Id && (d.AccountId == accountId || i.OwnerAccountId == accountId));

    public static Expression<Func<ImageEntity, bool>> NotInUseFor(ImagoDbContext db, long accountId)
    {
        var inUse = InUseFor(db, accountId);
        return Expression.Lambda<Func<ImageEntity, bool>>(Expression.Not(inUse.Body), inUse.Parameters);
    }

    /// <summary>Any account's instance or disk in the region was made from the image (DeleteImage's check).</summary>
    public static async Task<bool> IsUsedAsync(ImagoDbContext db, string regionId, string imageId, CancellationToken cancellationToken) =>
        await db.Instances.AnyAsync(x => x.RegionId == regionId && x.ImageId == imageId, cancellationToken).ConfigureAwait(false)
        || await db.Disks.AnyAsync(d => d.RegionId == regionId && d.ImageId == imageId, cancellationToken).ConfigureAwait(false);

    /// <summary>Which of <paramref name="images"/> are in use as <see cref="InUseFor"/> defines it (one query per table).</summary>
    internal static async Task<HashSet<string>> InUseAmongAsync(ImagoDbContext db, long accountId, string regionId,
        IReadOnlyCollection<ImageEntity> images, CancellationToken cancellationToken)
    {
        var ids = images.Select(i => i.Id).Distinct().ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var users = await db.Instances.Where(x => x.RegionId == regionId && ids.Contains(x.ImageId))
            .Select(x => new { x.ImageId, x.AccountId }).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false);
        users.AddRange(await db.Disks.Where(d => d.RegionId == regionId && ids.Contains(d.ImageId))
            .Select(d => new { d.ImageId, d.AccountId }).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false));
        var owners = images.ToDictionary(i => i.Id, i => i.OwnerAccountId);
        return [.. users.Where(u => u.AccountId == accountId || owners[u.ImageId] == accountId).Select(u => u.ImageId)];
    }
}
