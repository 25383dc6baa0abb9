using Imago.Core.Common;
using Imago.Core.Errors;
using Imago.Core.Ids;
using Imago.Core.Images;
using Imago.Core.Regions;
using Imago.Core.Snapshots;
using Imago.Core.Storage;
using Imago.Core.Tasks;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.ImageCreation;

/// <summary>
/// CreateImage: validates, resolves the source, takes the store snapshots an instance source needs (bytes first),
/// then saves the snapshot rows, the image (Creating, 0%) with its mappings, its tags and its task in one
/// transaction; the <see cref="CreateImageTaskHandler"/> brings it to Available.
/// </summary>
public sealed class ImageCreationService(
    ImagoDatabase database, RegionStores stores, RegionCatalog regions, TaskRunner tasks, TimeProvider time) : IDisposable
{
    /// <summary>Custom images per account per region.</summary>
    public const int ImageQuota = ImageLimits.ImageQuota;

    public const string TagResourceType = "image";

    private const string Action = "CreateImage";

    /// <summary>Quota and name-uniqueness checks and the insert are one critical section (this service is one process).</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<string> CreateAsync(Caller caller, CreateImageRequest request, CancellationToken cancellationToken)
    {
        regions.Require(request.RegionId);
        _ = request.ImageName is { } name ? ImageNameRules.RequireValidName(name) : null;
        _ = request.Description is { } description ? ImageNameRules.RequireValidDescription(description) : null;
        _ = request.ImageFamily is { } family ? ImageNameRules.RequireValidFamily(family) : null;

        var platform = ImageAttributes.Platform(request.Platform);
        var architecture = ImageAttributes.Architecture(request.Architecture);
        var bootMode = ImageAttributes.BootMode(request.BootMode);
        var imds = ImageAttributes.ImdsSupport(request.ImdsSupport);
        var version = ImageAttributes.Version(request.ImageVersion);
        var tags = TagRules.Check(request.Tags ?? []);
        var token = Idempotency.Validate(request.ClientToken);
        var hash = Idempotency.Hash(request with { ClientToken = null, Tags = tags.ToArray(), DiskDeviceMappings = request.DiskDeviceMappings?.ToArray() });

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = database.CreateContext();
            if (token is not null && await Idempotency.FindAsync<string>(db, caller, Action, token, hash, cancellationToken).ConfigureAwait(false) is { } earlier)
            {
                return earlier;
            }

            var plan = await new ImageSourcePlanner(db, caller, request.RegionId).PlanAsync(request, cancellationToken).ConfigureAwait(false);
            await ImageLimits.CheckAsync(db, caller, request.RegionId, request.ImageName, cancellationToken).ConfigureAwait(false);
            var lineageVersion = await LineageVersionAsync(db, plan, cancellationToken).ConfigureAwait(false);
            if (lineageVersion is not null && version is not null && version != lineageVersion)
            {
                throw ImageCreationErrors.VersionMalformed($"An image of a marketplace image keeps its version ({lineageVersion}).");
            }

            if (request.DryRun)
            {
                throw EcsErrors.DryRunPassed();
            }

            var image = NewImage(caller, request, plan, platform, architecture, bootMode, imds, version ?? lineageVersion);
            var newSnapshots = await TakeSnapshotsAsync(plan, image, cancellationToken).ConfigureAwait(false);
            foreach (var snapshot in plan.ReferencedSnapshots)
            {
                snapshot.Version++;
            }

            db.Snapshots.AddRange(newSnapshots);
            db.Images.Add(image);
            db.Tags.AddRange(TagRules.Rows(TagResourceType, image.Id, request.RegionId, tags));
            var payload = new CreateImagePayload(image.Id, [.. newSnapshots.Select(s => s.Id)], [.. plan.ReferencedSnapshots.Select(s => s.Id)]);
            var task = tasks.Prepare(SnapshotKinds.CreateImageTask, payload, new TaskScope(caller.AccountId, request.RegionId, image.Id));
            image.TaskId = task.Id;
            db.Tasks.Add(task);
            if (token is not null)
            {
                Idempotency.Record(db, caller, Action, token, hash, image.Id, image.CreatedAt);
            }

            try
            {
                await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (DbUpdateException error)
            {
                await DiskSnapshots.DiscardAsync(stores[request.RegionId], payload.NewSnapshotIds).ConfigureAwait(false);
                // A referenced snapshot deleted meanwhile (its Version no longer matches).
                throw error is DbUpdateConcurrencyException ? EcsErrors.SnapshotNotFound(payload.MappedSnapshotIds.FirstOrDefault() ?? "") : EcsErrors.Conflict();
            }

            tasks.Schedule(task.Id);
            return image.Id;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// For a Marketplace lineage, the version the new image must carry: the parent image's when it is of the same
    /// product, else the product's; null when the source has no product.
    /// </summary>
    private static async Task<string?> LineageVersionAsync(ImagoDbContext db, ImagePlan plan, CancellationToken cancellationToken)
    {
        if (plan.ProductCode.Length == 0)
        {
            return null;
        }

        if (plan.Parent is { } parent && parent.ProductCode == plan.ProductCode)
        {
            return parent.ImageVersion;
        }

        return await db.MarketplaceProducts.Where(p => p.ProductCode == plan.ProductCode).Select(p => p.ImageVersion)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? plan.Parent?.ImageVersion;
    }

    /// <summary>Snapshots the disks an instance source needs and fills their mappings; on failure discards what was taken.</summary>
    private async Task<List<SnapshotEntity>> TakeSnapshotsAsync(ImagePlan plan, ImageEntity image, CancellationToken cancellationToken)
    {
        var store = stores[image.RegionId];
        var taken = new List<SnapshotEntity>();
        var now = time.GetUtcNow().UtcDateTime;
        try
        {
            foreach (var (planned, index) in plan.Mappings.Select((m, i) => (m, i)))
            {
                var snapshotId = planned.SnapshotId;
                if (planned.DiskToSnapshot is { } disk)
                {
                    var snapshot = await DiskSnapshots.TakeAsync(store, disk, ResourceIds.NewSnapshotId(image.RegionId), now, cancellationToken).ConfigureAwait(false);
                    snapshot.Description = $"Created by CreateImage for {image.Id} from {disk.Id}.";
                    taken.Add(snapshot);
                    snapshotId = snapshot.Id;
                }

                image.DiskMappings.Add(new ImageDiskMappingEntity
                {
                    RegionId = image.RegionId,
                    ImageId = image.Id,
                    Index = index,
                    Type = planned.Type,
                    Device = planned.Device,
                    SnapshotId = snapshotId,
                    SizeGiB = planned.SizeGiB,
                    Progress = 0,
                });
            }
        }
        catch
        {
            await DiskSnapshots.DiscardAsync(store, taken.Select(s => s.Id)).ConfigureAwait(false);
            throw;
        }

        return taken;
    }

    private ImageEntity NewImage(Caller caller, CreateImageRequest request, ImagePlan plan, string? platform, string? architecture, string? bootMode, string? imds, string? version)
    {
        var parent = plan.Parent;
        var finalPlatform = platform ?? parent?.Platform ?? "Others Linux";
        return new ImageEntity
        {
            RegionId = request.RegionId,
            Id = ResourceIds.NewImageId(request.RegionId),
            OwnerAccountId = caller.AccountId,
            Kind = ImageKinds.Custom,
            Name = request.ImageName ?? "",
            Description = request.Description ?? "",
            Family = request.ImageFamily ?? "",
            ImageVersion = version ?? "",
            Status = ImageStatuses.Creating,
            Progress = 0,
            OSType = platform is null && parent is not null ? parent.OSType : ImageAttributes.OSTypeOf(finalPlatform),
            Platform = finalPlatform,
            OSName = platform is null ? parent?.OSName ?? "" : "",
            OSNameEn = platform is null ? parent?.OSNameEn ?? "" : "",
            Architecture = architecture ?? parent?.Architecture ?? "x86_64",
            BootMode = bootMode ?? parent?.BootMode ?? "UEFI-Preferred",
            SizeGiB = plan.Mappings[0].SizeGiB,
            IsSupportCloudinit = parent?.IsSupportCloudinit ?? true,
            IsSupportIoOptimized = true,
            LicenseType = parent?.LicenseType ?? "",
            NvmeSupport = parent?.NvmeSupport ?? "unsupported",
            ImdsSupport = imds ?? parent?.ImdsSupport ?? "v1",
            ProductCode = plan.ProductCode,
            SourceRegionId = parent is null ? null : request.RegionId,
            SourceImageId = parent?.Id,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
    }
}
