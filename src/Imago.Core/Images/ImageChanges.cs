using Imago.Core.Errors;
using Imago.Core.Regions;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Images;

/// <summary>
/// ModifyImageAttribute and DeleteImage: changes to the caller's own custom images. Any other id (another
/// account's image, a shared or public image, an unknown id) answers InvalidImageId.NotFound, so an account
/// learns nothing about images it does not own.
/// </summary>
public sealed class ImageChanges(ImagoDatabase database, RegionCatalog regions)
{
    private static readonly string[] BootModes = ["BIOS", "UEFI", "UEFI-Preferred"];
    private static readonly string[] NvmeSupports = ["supported", "unsupported"];
    private static readonly string[] ImdsSupports = ["v1", "v2"];
    private static readonly string[] SettableStatuses = [ImageStatuses.Deprecated, ImageStatuses.Available];

    public async Task ModifyAsync(Caller caller, string regionId, string imageId, ImageAttributeChanges changes, bool dryRun,
        CancellationToken cancellationToken)
    {
        regions.Require(regionId);
        ValidateFormats(changes);
        await using var db = database.CreateContext();
        var image = await FindOwnCustomAsync(db, caller, regionId, imageId, cancellationToken).ConfigureAwait(false);
        if (changes.ImageName is { } name && name != image.Name
            && await db.Images.AnyAsync(i => i.RegionId == regionId && i.OwnerAccountId == caller.AccountId && i.Id != imageId && i.Name == name,
                cancellationToken).ConfigureAwait(false))
        {
            throw ImageErrors.NameDuplicated();
        }

        if (changes.Status is { } status && status != image.Status)
        {
            if (image.Status is not (ImageStatuses.Available or ImageStatuses.Deprecated))
            {
                throw ImageErrors.IncorrectStatus();
            }

            // A shared image must be unshared before it is deprecated (deprecated images cannot be shared).
            if (status == ImageStatuses.Deprecated
                && await db.ImageShares.AnyAsync(s => s.RegionId == regionId && s.ImageId == imageId, cancellationToken).ConfigureAwait(false))
            {
                throw ImageErrors.UseShared();
            }
        }

        if (dryRun)
        {
            throw EcsErrors.DryRunPassed();
        }

        image.Name = changes.ImageName ?? image.Name;
        image.Description = changes.Description ?? image.Description;
        image.Family = changes.ImageFamily ?? image.Family;
        image.BootMode = changes.BootMode ?? image.BootMode;
        image.LicenseType = changes.LicenseType ?? image.LicenseType;
        image.NvmeSupport = changes.NvmeSupport ?? image.NvmeSupport;
        image.ImdsSupport = changes.ImdsSupport ?? image.ImdsSupport;
        image.Status = changes.Status ?? image.Status;
        image.Version++;
        await SaveAsync(db, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the caller's custom image. Its snapshots stay (ECS deletes them separately); disks made from it keep
    /// their bytes. Refused while it is being created, copied, imported or exported, while it is shared, and
    /// (unless <paramref name="force"/>) while an instance or disk was made from it.
    /// </summary>
    public async Task DeleteAsync(Caller caller, string regionId, string imageId, bool force, bool dryRun, CancellationToken cancellationToken)
    {
        regions.Require(regionId);
        await using var db = database.CreateContext();
        var image = await FindOwnCustomAsync(db, caller, regionId, imageId, cancellationToken).ConfigureAwait(false);
        var runningTask = await db.Tasks
            .Where(t => t.RegionId == regionId && t.ResourceId == imageId && t.Status == TaskStatuses.Processing)
            .Select(t => t.Action).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        switch (runningTask)
        {
            case "CopyImage":
                throw ImageErrors.IsCopying();
            case "ImportImage":
                throw ImageErrors.IsImporting();
            case "ExportImage":
                throw ImageErrors.IsExporting();
            case "CreateImage":
                throw ImageErrors.IsCreating();
        }

        // The task says what is filling the image (an import answers ImageIsImporting); without one, the status.
        if (image.Status is ImageStatuses.Creating or ImageStatuses.Waiting)
        {
            throw image.IsCopied ? ImageErrors.IsCopying() : ImageErrors.IsCreating();
        }

        // A copy being made FROM this image reads its snapshots until it ends (CancelCopyImage stops it).
        if (await db.Images.AnyAsync(i => i.IsCopied && i.SourceRegionId == regionId && i.SourceImageId == imageId
                && (i.Status == ImageStatuses.Creating || i.Status == ImageStatuses.Waiting), cancellationToken).ConfigureAwait(false))
        {
            throw ImageErrors.IsCopying();
        }

        if (await db.ImageShares.AnyAsync(s => s.RegionId == regionId && s.ImageId == imageId, cancellationToken).ConfigureAwait(false))
        {
            throw ImageErrors.UseShared();
        }

        if (!force && await ImageUsage.IsUsedAsync(db, regionId, imageId, cancellationToken).ConfigureAwait(false))
        {
            throw ImageErrors.UsingByInstance();
        }

        if (dryRun)
        {
            throw EcsErrors.DryRunPassed();
        }

        db.Images.Remove(image); // its disk mappings go with it; the snapshots they name stay
        db.Tags.RemoveRange(await db.Tags.Where(t => t.ResourceType == "image" && t.RegionId == regionId && t.ResourceId == imageId)
            .ToListAsync(cancellationToken).ConfigureAwait(false));
        await SaveAsync(db, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ImageEntity> FindOwnCustomAsync(ImagoDbContext db, Caller caller, string regionId, string imageId,
        CancellationToken cancellationToken)
    {
        var image = await ImageAccess.FindOwnAsync(db, caller, regionId, imageId, cancellationToken).ConfigureAwait(false);
        return image is { Kind: ImageKinds.Custom } ? image : throw EcsErrors.ImageNotFound(imageId);
    }

    private static void ValidateFormats(ImageAttributeChanges changes)
    {
        if (changes.ImageName is { } name)
        {
            ImageNameRules.RequireValidName(name);
        }

        if (changes.Description is { } description)
        {
            ImageNameRules.RequireValidDescription(description);
        }

        if (changes.ImageFamily is { } family)
        {
            ImageNameRules.RequireValidFamily(family);
        }

        RequireOneOf("BootMode", changes.BootMode, BootModes);
        RequireOneOf("Features.NvmeSupport", changes.NvmeSupport, NvmeSupports);
        RequireOneOf("Features.ImdsSupport", changes.ImdsSupport, ImdsSupports);
        RequireOneOf("Status", changes.Status, SettableStatuses);
        if (changes.LicenseType is { } license && license != "BYOL")
        {
            throw ImageErrors.LicenseTypeNotSupported();
        }
    }

    private static void RequireOneOf(string parameter, string? value, string[] allowed)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            throw EcsErrors.InvalidParameter(parameter, $"Valid values: {string.Join(", ", allowed)}.");
        }
    }

    private static async Task SaveAsync(ImagoDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw EcsErrors.Conflict();
        }
    }
}
