using Imago.Data;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.ImageCreation;

/// <summary>The account limits every new custom image passes (CreateImage, ImportImage): a unique name and the quota.</summary>
internal static class ImageLimits
{
    /// <summary>Custom images per account per region.</summary>
    public const int ImageQuota = 100;

    public static async Task CheckAsync(ImagoDbContext db, Caller caller, string regionId, string? imageName, CancellationToken cancellationToken)
    {
        var own = db.Images.Where(i => i.RegionId == regionId && i.OwnerAccountId == caller.AccountId);
        if (imageName is { } name && await own.AnyAsync(i => i.Name == name, cancellationToken).ConfigureAwait(false))
        {
            throw ImageCreationErrors.NameDuplicated();
        }

        if (await own.CountAsync(cancellationToken).ConfigureAwait(false) >= ImageQuota)
        {
            throw ImageCreationErrors.Quota();
        }
    }
}
