using System.Globalization;
using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Core.Regions;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Sharing;

/// <summary>
/// ModifyImageSharePermission, DescribeImageSharePermission and ModifyImageShareGroupPermission: which accounts
/// may use the caller's own custom image in its region. Only the owner sees or changes the list; any other id
/// (another account's image, one shared with the caller, a public image, an unknown id) is InvalidImageId.NotFound.
/// What a share grants is decided in one place, <see cref="ImageAccess.Visible"/>, so removing the row removes the
/// access at once.
/// </summary>
public sealed class ImageSharing(ImagoDatabase database, RegionCatalog regions, TimeProvider time)
{
    /// <summary>Accounts one image may be shared with (the documented default quota).</summary>
    public const int MaxAccountsPerImage = 50;

    /// <summary>The only share group ECS knows: everybody (a community image), which this service does not offer.</summary>
    public const string PublicGroup = "all";

    public async Task ModifyAsync(Caller caller, string regionId, string imageId, SharePermissionChange change, bool dryRun,
        CancellationToken cancellationToken)
    {
        regions.Require(regionId);
        await using var db = database.CreateContext();
        var image = await FindOwnCustomAsync(db, caller, regionId, imageId, cancellationToken).ConfigureAwait(false);
        if (change.IsPublic == true)
        {
            throw SharingErrors.CommunityImagesNotSupported();
        }

        var add = await ResolveAccountsAsync(db, caller, change.AddAccounts, cancellationToken).ConfigureAwait(false);
        var remove = await ResolveAccountsAsync(db, caller, change.RemoveAccounts, cancellationToken).ConfigureAwait(false);
        if (change.RemoveAccounts.FirstOrDefault(r => add.Contains(ParseAccount(r.Value) ?? -1)) is { Key: { } both })
        {
            throw EcsErrors.InvalidParameter(both, "An account cannot be added and removed in one call.");
        }

        var current = await db.ImageShares.Where(s => s.RegionId == regionId && s.ImageId == imageId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var toAdd = add.Where(a => current.All(s => s.AccountId != a)).ToList();
        if (toAdd.Count > 0)
        {
            RequireShareable(image);
        }

        var toRemove = current.Where(s => remove.Contains(s.AccountId)).ToList();
        if (current.Count - toRemove.Count + toAdd.Count > MaxAccountsPerImage)
        {
            throw SharingErrors.QuotaExceeded(MaxAccountsPerImage);
        }

        if (dryRun)
        {
            throw EcsErrors.DryRunPassed();
        }

        if (toAdd.Count == 0 && toRemove.Count == 0)
        {
            return; // idempotent: already shared / never shared
        }

        var now = time.GetUtcNow().UtcDateTime;
        db.ImageShares.RemoveRange(toRemove);
        db.ImageShares.AddRange(toAdd.Select(a => new ImageShareEntity { RegionId = regionId, ImageId = imageId, AccountId = a, SharedAt = now }));
        // Bumping the image's version makes concurrent share changes (and a concurrent DeleteImage or deprecation,
        // which check the shares first) conflict instead of both passing the quota or the "not shared" check.
        image.Version++;
        await SaveAsync(db, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ImageSharePage> DescribeAsync(Caller caller, string regionId, string imageId, int pageNumber, int pageSize,
        CancellationToken cancellationToken)
    {
        regions.Require(regionId);
        await using var db = database.CreateContext();
        await FindOwnCustomAsync(db, caller, regionId, imageId, cancellationToken).ConfigureAwait(false);
        var shares = db.ImageShares.Where(s => s.RegionId == regionId && s.ImageId == imageId);
        var total = await shares.CountAsync(cancellationToken).ConfigureAwait(false);
        var skip = (long)(pageNumber - 1) * pageSize;
        var accounts = skip >= total ? [] : await shares.OrderBy(s => s.SharedAt).ThenBy(s => s.AccountId)
            .Skip((int)skip).Take(pageSize).Select(s => new ImageShareView(s.AccountId, s.SharedAt))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ImageSharePage(accounts, total, pageNumber, pageSize);
    }

    /// <summary>
    /// The deprecated group form. The only group is <c>all</c> (a community image): adding it is refused like
    /// IsPublic=true, removing it is a no-op, since no image is ever public here. Anything else is InvalidGroup.Malformed.
    /// </summary>
    public async Task ModifyGroupAsync(Caller caller, string regionId, string imageId, IReadOnlyList<KeyValuePair<string, string>> addGroups,
        IReadOnlyList<KeyValuePair<string, string>> removeGroups, bool dryRun, CancellationToken cancellationToken)
    {
        regions.Require(regionId);
        await using var db = database.CreateContext();
        await FindOwnCustomAsync(db, caller, regionId, imageId, cancellationToken).ConfigureAwait(false);
        foreach (var (parameter, group) in addGroups.Concat(removeGroups))
        {
            if (group != PublicGroup)
            {
                throw SharingErrors.GroupMalformed(parameter);
            }
        }

        if (addGroups.Count > 0)
        {
            throw SharingErrors.CommunityImagesNotSupported();
        }

        if (dryRun)
        {
            throw EcsErrors.DryRunPassed();
        }
    }

    /// <summary>
    /// Only an Available image can gain accounts. An image derived from a marketplace image may be shared: its
    /// ProductCode goes with it, so a recipient's launches follow the product's rules and pay its vendor.
    /// </summary>
    private static void RequireShareable(ImageEntity image)
    {
        if (image.Status != ImageStatuses.Available)
        {
            throw ImageErrors.IncorrectStatus();
        }
    }

    /// <summary>The account ids named, each an existing account other than the caller's (checked in N order).</summary>
    private static async Task<HashSet<long>> ResolveAccountsAsync(ImagoDbContext db, Caller caller,
        IReadOnlyList<KeyValuePair<string, string>> named, CancellationToken cancellationToken)
    {
        var ids = new HashSet<long>();
        if (named.Count == 0)
        {
            return ids;
        }

        var parsed = named.Select(n => (Parameter: n.Key, Id: ParseAccount(n.Value))).ToList();
        var candidates = parsed.Where(p => p.Id is not null).Select(p => p.Id!.Value).Distinct().ToList();
        var existing = await db.Accounts.Where(a => candidates.Contains(a.Id)).Select(a => a.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (parameter, id) in parsed)
        {
            if (id is not { } accountId || !existing.Contains(accountId))
            {
                throw SharingErrors.AccountNotFound(parameter);
            }

            if (accountId == caller.AccountId)
            {
                throw SharingErrors.OwnAccount(parameter);
            }

            ids.Add(accountId);
        }

        return ids;
    }

    /// <summary>An account id is a positive number (AliyunId); anything else names no account.</summary>
    private static long? ParseAccount(string value) =>
        value.Length <= 20 && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    private static async Task<ImageEntity> FindOwnCustomAsync(ImagoDbContext db, Caller caller, string regionId, string imageId,
        CancellationToken cancellationToken)
    {
        var image = await ImageAccess.FindOwnAsync(db, caller, regionId, imageId, cancellationToken).ConfigureAwait(false);
        return image is { Kind: ImageKinds.Custom } ? image : throw EcsErrors.ImageNotFound(imageId);
    }

    private static async Task SaveAsync(ImagoDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // A concurrent change to the same image (version token) or the same share row (key): nothing was applied.
            throw EcsErrors.Conflict();
        }
    }
}
