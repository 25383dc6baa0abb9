using Imago.Core.Common;
using Imago.Core.Compute;
using Imago.Core.Errors;
using Imago.Core.Regions;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Images;

/// <summary>
/// Read-only image actions: DescribeImages, DescribeImageFromFamily, DescribeImageSupportInstanceTypes. Every
/// query starts from <see cref="ImageAccess.Visible"/>, so an account sees public and marketplace images, its own,
/// and those shared with it, and nothing else.
/// </summary>
public sealed class ImageQueries(ImagoDatabase database, RegionCatalog regions, InstanceTypeCatalog instanceTypes)
{
    private static readonly string[] Usages = ["instance", "none"];
    private static readonly string[] OSTypes = ["windows", "linux"];
    private static readonly string[] Architectures = ["i386", "x86_64", "arm64"];
    private static readonly string[] DescribeActionTypes = ["CreateEcs", "ChangeOS"];
    private static readonly string[] SupportActionTypes = ["CreateEcs", "ChangeOS", "Upgrade", "Downgrade", "RenewDowngrade"];

    /// <summary>DescribeImages: validates every filter (documented codes), then one page ordered newest first.</summary>
    public async Task<ImagePage> DescribeAsync(Caller caller, string regionId, ImageQuery query, bool dryRun, CancellationToken cancellationToken)
    {
        regions.Require(regionId);
        var filter = Validate(query);
        if (dryRun)
        {
            throw EcsErrors.DryRunPassed();
        }

        await using var db = database.CreateContext();
        var images = Filter(db, caller, regionId, query, filter);
        var page = await Paging.ApplyAsync(images.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id).Include(i => i.DiskMappings).AsNoTracking(),
            new PageRequest(query.PageNumber, query.PageSize), query.PageSize, cancellationToken).ConfigureAwait(false);
        var views = await ViewsAsync(db, caller, regionId, page.Items, cancellationToken).ConfigureAwait(false);
        return new ImagePage(page.TotalCount, query.PageNumber, query.PageSize, views);
    }

    /// <summary>DescribeImageFromFamily: the newest Available visible image of the family, or null.</summary>
    public async Task<ImageView?> FromFamilyAsync(Caller caller, string regionId, string family, CancellationToken cancellationToken)
    {
        regions.Require(regionId);
        await using var db = database.CreateContext();
        var image = await ImageAccess.Visible(db, caller, regionId)
            .Where(i => i.Family == family && i.Status == ImageStatuses.Available)
            .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id)
            .Include(i => i.DiskMappings).AsNoTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return image is null ? null : (await ViewsAsync(db, caller, regionId, [image], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>DescribeImageSupportInstanceTypes: the instance types of the image's architecture.</summary>
    public async Task<IReadOnlyList<InstanceTypeInfo>> SupportedInstanceTypesAsync(Caller caller, string regionId, string imageId,
        string? actionType, CancellationToken cancellationToken)
    {
        regions.Require(regionId);
        if (actionType is not null && !SupportActionTypes.Contains(actionType, StringComparer.Ordinal))
        {
            throw EcsErrors.InvalidParameter("ActionType", $"Valid values: {string.Join(", ", SupportActionTypes)}.");
        }

        await using var db = database.CreateContext();
        var image = await ImageAccess.Visible(db, caller, regionId).AsNoTracking()
            .FirstOrDefaultAsync(i => i.Id == imageId, cancellationToken).ConfigureAwait(false)
            ?? throw EcsErrors.ImageNotFound(imageId);
        return [.. SupportedTypes(image.Architecture)];
    }

    /// <summary>The types an image of <paramref name="architecture"/> runs on (32-bit images only below 4 GiB of memory).</summary>
    public IEnumerable<InstanceTypeInfo> SupportedTypes(string architecture) =>
        instanceTypes.For(architecture).Where(t => architecture != "i386" || t.MemorySize < 4);

    /// <summary>Caller-relative fields and tags for loaded images.</summary>
    internal static async Task<IReadOnlyList<ImageView>> ViewsAsync(ImagoDbContext db, Caller caller, string regionId,
        IReadOnlyList<ImageEntity> images, CancellationToken cancellationToken)
    {
        var ids = images.Select(i => i.Id).ToList();
        var tags = (await db.Tags.Where(t => t.ResourceType == "image" && t.RegionId == regionId && ids.Contains(t.ResourceId))
                .AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(t => t.ResourceId);
        var ownIds = images.Where(i => i.OwnerAccountId == caller.AccountId).Select(i => i.Id).ToList();
        var shared = ownIds.Count == 0 ? [] : (await db.ImageShares.Where(s => s.RegionId == regionId && ownIds.Contains(s.ImageId))
            .Select(s => s.ImageId).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet();
        var inUse = await ImageUsage.InUseAmongAsync(db, caller.AccountId, regionId, images, cancellationToken).ConfigureAwait(false);
        var productCodes = images.Select(i => i.ProductCode).Where(c => c.Length > 0).Distinct().ToList();
        var subscribed = productCodes.Count == 0 ? [] : (await db.MarketplaceSubscriptions
            .Where(s => s.AccountId == caller.AccountId && productCodes.Contains(s.ProductCode)).Select(s => s.ProductCode)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        return [.. images.Select(i => new ImageView(
            i,
            OwnerAlias(i, caller),
            i.OwnerAccountId == caller.AccountId ? shared.Contains(i.Id) : null,
            inUse.Contains(i.Id),
            subscribed.Contains(i.ProductCode),
            [.. tags[i.Id].OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new KeyValuePair<string, string>(t.Key, t.Value))]))];
    }

    public static string OwnerAlias(ImageEntity image, Caller caller) => image.Kind switch
    {
        ImageKinds.Public => ImageOwnerAliases.System,
        ImageKinds.Marketplace => ImageOwnerAliases.Marketplace,
        _ => image.OwnerAccountId == caller.AccountId ? ImageOwnerAliases.Self : ImageOwnerAliases.Others,
    };

    private IQueryable<ImageEntity> Filter(ImagoDbContext db, Caller caller, string regionId, ImageQuery query, ValidatedFilter filter)
    {
        var me = caller.AccountId;
        var images = ImageAccess.Visible(db, caller, regionId);
        images = filter.OwnerAlias switch
        {
            ImageOwnerAliases.System => images.Where(i => i.Kind == ImageKinds.Public),
            ImageOwnerAliases.Self => images.Where(i => i.Kind != ImageKinds.Public && i.Kind != ImageKinds.Marketplace && i.OwnerAccountId == me),
            ImageOwnerAliases.Others => images.Where(i => i.Kind != ImageKinds.Public && i.Kind != ImageKinds.Marketplace && i.OwnerAccountId != me),
            ImageOwnerAliases.Marketplace => images.Where(i => i.Kind == ImageKinds.Marketplace),
            // The documented default: system + self + others. Marketplace images named by an explicit ImageId are
            // included, so that a launch script or Terraform can look up the marketplace image it uses.
            _ when query.ImageIds is { Count: > 0 } => images,
            _ => images.Where(i => i.Kind != ImageKinds.Marketplace),
        };

        var statuses = filter.Statuses;
        images = images.Where(i => statuses.Contains(i.Status));
        if (query.ImageIds is { Count: > 0 } ids)
        {
            images = images.Where(i => ids.Contains(i.Id));
        }

        if (query.ImageName is { } name)
        {
            var lower = name.ToLowerInvariant();
            images = images.Where(i => i.Name.ToLower().Contains(lower));
        }

        if (query.ImageFamily is { } family)
        {
            images = images.Where(i => i.Family == family);
        }

        if (query.SnapshotId is { } snapshotId)
        {
            images = images.Where(i => i.DiskMappings.Any(m => m.SnapshotId == snapshotId));
        }

        if (query.ImageOwnerId is { } ownerId)
        {
            // Documented to take effect on shared (and community) images only: other accounts' images must be
            // that owner's; system, marketplace and the caller's own images are not filtered by it.
            images = images.Where(i => i.Kind == ImageKinds.Public || i.Kind == ImageKinds.Marketplace || i.OwnerAccountId == me || i.OwnerAccountId == ownerId);
        }

        if (query.IsPublic == true)
        {
            // IsPublic=true asks for community images (custom images other accounts published); this service has
            // none. IsPublic=false means "everything but community images": no filter.
            images = images.Where(i => false);
        }

        if (filter.Usage is { } usage)
        {
            images = images.Where(usage == "instance" ? ImageUsage.InUseFor(db, me) : ImageUsage.NotInUseFor(db, me));
        }

        if (filter.OSType is { } osType)
        {
            images = images.Where(i => i.OSType == osType);
        }

        if (filter.Architecture is { } architecture)
        {
            images = images.Where(i => i.Architecture == architecture);
        }

        if (filter.InstanceTypeArchitectures is { } allowed)
        {
            images = images.Where(i => allowed.Contains(i.Architecture));
        }

        if (query.IsSupportIoOptimized is { } ioOptimized)
        {
            images = images.Where(i => i.IsSupportIoOptimized == ioOptimized);
        }

        if (query.IsSupportCloudinit is { } cloudinit)
        {
            images = images.Where(i => i.IsSupportCloudinit == cloudinit);
        }

        if (query.ResourceGroupId is { } resourceGroup)
        {
            images = images.Where(i => i.ResourceGroupId == resourceGroup);
        }

        foreach (var (key, value) in query.Tags)
        {
            images = value.Length == 0
                ? images.Where(i => db.Tags.Any(t => t.ResourceType == "image" && t.RegionId == i.RegionId && t.ResourceId == i.Id && t.Key == key))
                : images.Where(i => db.Tags.Any(t => t.ResourceType == "image" && t.RegionId == i.RegionId && t.ResourceId == i.Id && t.Key == key && t.Value == value));
        }

        if (filter.CreatedFrom is { } from)
        {
            images = images.Where(i => i.CreatedAt >= from);
        }

        if (filter.CreatedTo is { } to)
        {
            images = images.Where(i => i.CreatedAt <= to);
        }

        return images;
    }

    private ValidatedFilter Validate(ImageQuery query)
    {
        var alias = Canonical(query.ImageOwnerAlias, ImageOwnerAliases.All, ImageErrors.OwnerAliasNotSupported);
        var usage = Canonical(query.Usage, Usages, ImageErrors.InvalidUsage);
        var osType = Canonical(query.OSType, OSTypes, ImageErrors.InvalidOSType);
        var architecture = Canonical(query.Architecture, Architectures, ImageErrors.InvalidArchitecture);
        if (query.IsPublic == true && alias != ImageOwnerAliases.Others)
        {
            throw EcsErrors.InvalidParameter("IsPublic", "IsPublic=true lists community images and needs ImageOwnerAlias=others.");
        }

        Canonical(query.ActionType, DescribeActionTypes,
            () => EcsErrors.InvalidParameter("ActionType", $"Valid values: {string.Join(", ", DescribeActionTypes)}."));
        if (query.PageNumber < 1 || query.PageSize is < 1 or > 100)
        {
            throw EcsErrors.InvalidParameter(query.PageNumber < 1 ? "PageNumber" : "PageSize");
        }

        var statuses = (query.Statuses is { Count: > 0 } requested ? requested : [ImageStatuses.Available])
            .Select(s => Canonical(s, ImageStatuses.All,
                () => EcsErrors.InvalidParameter("Status", $"Valid values: {string.Join(", ", ImageStatuses.All)}."))!)
            .Distinct(StringComparer.Ordinal).ToArray();

        string[]? typeArchitectures = null;
        if (query.InstanceType is { } instanceType)
        {
            var type = instanceTypes.Find(instanceType) ?? throw ImageErrors.InstanceTypeNotSupported();
            typeArchitectures = type.Architecture == "x86_64"
                ? (type.MemorySize < 4 ? ["x86_64", "i386"] : ["x86_64"])
                : [type.Architecture];
        }

        DateTime? from = null;
        DateTime? to = null;
        foreach (var (key, value) in query.Filters)
        {
            switch (key)
            {
                case "CreationStartTime":
                    from = RequestTimes.Parse(value, "Filter.N.Value");
                    break;
                case "CreationEndTime":
                    to = RequestTimes.Parse(value, "Filter.N.Value");
                    break;
                case "NetworkType":
                    // Every image runs in a VPC and in the classic network alike here: nothing to filter.
                    break;
                default:
                    throw ImageErrors.FilterKeyNotFound();
            }
        }

        return new ValidatedFilter(alias, usage, osType, architecture, statuses, typeArchitectures, from, to);
    }

    /// <summary>The allowed spelling of <paramref name="value"/> (matched ignoring case), null for null, else the error.</summary>
    private static string? Canonical(string? value, IReadOnlyList<string> allowed, Func<EcsException> error) =>
        value is null ? null : allowed.FirstOrDefault(a => a.Equals(value, StringComparison.OrdinalIgnoreCase)) ?? throw error();

    private sealed record ValidatedFilter(string? OwnerAlias, string? Usage, string? OSType, string? Architecture, string[] Statuses, string[]? InstanceTypeArchitectures, DateTime? CreatedFrom, DateTime? CreatedTo);
}
