using Imago.Core.Common;
using Imago.Core.Errors;
using Imago.Core.ImageCreation;
using Imago.Core.Ids;
using Imago.Core.Images;
using Imago.Core.Marketplace;
using Imago.Core.Regions;
using Imago.Core.Snapshots;
using Imago.Core.Storage;
using Imago.Core.Tasks;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Copying;

/// <summary>
/// CopyImage and CancelCopyImage. A copy is a new image of the caller in the destination region, saved at once
/// (IsCopied, Status Waiting, its disk mappings at 0%) with its tags and its CopyImage task (region = destination)
/// in one transaction; <see cref="CopyImageTaskHandler"/> moves the bytes and makes it Available.
/// </summary>
public sealed class CopyImageService(ImagoDatabase database, RegionStores stores, RegionCatalog regions, TaskRunner tasks, TimeProvider time)
    : IDisposable
{
    private const string Action = "CopyImage";

    /// <summary>Quota and name-uniqueness checks and the insert are one critical section (this service is one process).</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    public sealed record Result(string ImageId);

    public async Task<Result> CopyAsync(Caller caller, CopyImageRequest request, CancellationToken cancellationToken)
    {
        regions.Require(request.RegionId);
        var destination = request.DestinationRegionId ?? request.RegionId;
        if (!regions.Contains(destination))
        {
            throw CopyErrors.DestinationRegionNotFound(destination);
        }

        if (request.DestinationImageName is { } name)
        {
            ImageNameRules.RequireValidName(name);
        }

        if (request.DestinationDescription is { } description)
        {
            ImageNameRules.RequireValidDescription(description);
        }

        if (request.Encrypted || !string.IsNullOrEmpty(request.KmsKeyId))
        {
            throw CopyErrors.EncryptionNotSupported();
        }

        var tags = TagRules.Check(request.Tags ?? []);
        var token = Idempotency.Validate(request.ClientToken);
        var hash = Idempotency.Hash(request with { ClientToken = null, DestinationRegionId = destination, Tags = tags.ToArray() });

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = database.CreateContext();
            if (token is not null && await Idempotency.FindAsync<Result>(db, caller, Action, token, hash, cancellationToken).ConfigureAwait(false) is { } earlier)
            {
                return earlier;
            }

            var source = await FindSourceAsync(db, caller, request, destination, cancellationToken).ConfigureAwait(false);
            await CheckLimitsAsync(db, caller, destination, request.DestinationImageName, cancellationToken).ConfigureAwait(false);
            if (request.DryRun)
            {
                throw EcsErrors.DryRunPassed();
            }

            var now = time.GetUtcNow().UtcDateTime;
            var copy = NewCopy(caller, source, destination, request, now);
            var disks = source.DiskMappings.OrderBy(m => m.Index)
                .Select(m => new CopyDiskPlan(m.Index, m.SnapshotId, m.SnapshotId is null ? null : ResourceIds.NewSnapshotId(destination)))
                .ToList();
            var task = tasks.Prepare(CopyErrors.TaskKind, new CopyImagePayload(copy.Id, source.RegionId, source.Id, disks),
                new TaskScope(caller.AccountId, destination, copy.Id));
            copy.TaskId = task.Id;
            db.Images.Add(copy);
            db.Tags.AddRange(TagRules.Rows(ImageCreationService.TagResourceType, copy.Id, destination, tags));
            db.Tasks.Add(task);
            var result = new Result(copy.Id);
            if (token is not null)
            {
                Idempotency.Record(db, caller, Action, token, hash, result, now);
            }

            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            tasks.Schedule(task.Id);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// CancelCopyImage: <paramref name="imageId"/> is the copy, in its (destination) region. The copy task is
    /// cancelled; its handler removes the partial copy. The source is never touched.
    /// </summary>
    public async Task CancelAsync(Caller caller, string regionId, string imageId, CancellationToken cancellationToken)
    {
        regions.Require(regionId);
        ImageEntity? image;
        TaskEntity? task;
        await using (var db = database.CreateContext())
        {
            image = await ImageAccess.FindOwnAsync(db, caller, regionId, imageId, cancellationToken).ConfigureAwait(false);
            task = image?.TaskId is { } taskId
                ? await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == taskId, cancellationToken).ConfigureAwait(false)
                : null;
        }

        if (image is null)
        {
            throw EcsErrors.ImageNotFound(imageId);
        }

        if (!image.IsCopied)
        {
            throw CopyErrors.NotFromCopy();
        }

        switch (image.Status)
        {
            case ImageStatuses.Available or ImageStatuses.Deprecated or ImageStatuses.UnAvailable:
                throw CopyErrors.AlreadyCopied();
            case ImageStatuses.CreateFailed:
                throw CopyErrors.CopyFailed();
        }

        if (task is not { Status: TaskStatuses.Processing })
        {
            throw CopyErrors.NotCopying();
        }

        try
        {
            await tasks.CancelAsync(caller, regionId, task.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (EcsException error) when (error.Code == TaskErrors.IncorrectStatus().Code)
        {
            // The task ended between the look and the cancel: say how.
            throw await ImageStatusAsync(regionId, imageId, cancellationToken).ConfigureAwait(false) == ImageStatuses.Available
                ? CopyErrors.AlreadyCopied()
                : CopyErrors.NotCopying();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// The source: an Available custom image the caller owns, or one shared with it when the copy stays in the
    /// source region. An image of a Marketplace product goes only where the product is published
    /// (OperationDenied.NotPublished). Public and marketplace images exist in every region and are refused.
    /// </summary>
    private async Task<ImageEntity> FindSourceAsync(ImagoDbContext db, Caller caller, CopyImageRequest request, string destination,
        CancellationToken cancellationToken)
    {
        var source = await ImageAccess.FindVisibleAsync(db, caller, request.RegionId, request.ImageId, cancellationToken).ConfigureAwait(false)
            ?? throw EcsErrors.ImageNotFound(request.ImageId);
        await MarketplaceRules.CheckCopyAsync(db, source, destination, cancellationToken).ConfigureAwait(false);
        if (source.Kind != ImageKinds.Custom)
        {
            throw CopyErrors.PublicImage();
        }

        if (source.OwnerAccountId != caller.AccountId && destination != request.RegionId)
        {
            throw CopyErrors.SharedImageSameRegionOnly();
        }

        if (source.Status != ImageStatuses.Available)
        {
            throw CopyErrors.ImageNotAvailable();
        }

        var store = stores[request.RegionId];
        foreach (var snapshotId in source.DiskMappings.Select(m => m.SnapshotId).OfType<string>())
        {
            if (!store.SnapshotExists(snapshotId))
            {
                throw CopyErrors.SourceSnapshotMissing(snapshotId);
            }
        }

        return source;
    }

    /// <summary>The destination's custom-image quota and name uniqueness (as CreateImage and ImportImage check them).</summary>
    private static async Task CheckLimitsAsync(ImagoDbContext db, Caller caller, string destination, string? name, CancellationToken cancellationToken)
    {
        try
        {
            await ImageLimits.CheckAsync(db, caller, destination, name, cancellationToken).ConfigureAwait(false);
        }
        catch (EcsException error) when (error.Code == CopyErrors.NameDuplicated().Code)
        {
            throw CopyErrors.NameDuplicated();
        }
    }

    private static ImageEntity NewCopy(Caller caller, ImageEntity source, string destination, CopyImageRequest request, DateTime now)
    {
        var id = ResourceIds.NewImageId(destination);
        return new ImageEntity
        {
            RegionId = destination,
            Id = id,
            OwnerAccountId = caller.AccountId,
            Kind = ImageKinds.Custom,
            Name = request.DestinationImageName ?? "",
            Description = request.DestinationDescription ?? "",
            Status = ImageStatuses.Waiting,
            Progress = 0,
            ImageVersion = source.ImageVersion,
            OSType = source.OSType,
            Platform = source.Platform,
            OSName = source.OSName,
            OSNameEn = source.OSNameEn,
            Architecture = source.Architecture,
            BootMode = source.BootMode,
            SizeGiB = source.SizeGiB,
            IsSupportCloudinit = source.IsSupportCloudinit,
            IsSupportIoOptimized = source.IsSupportIoOptimized,
            IsCopied = true,
            LicenseType = source.LicenseType,
            NvmeSupport = source.NvmeSupport,
            ImdsSupport = source.ImdsSupport,
            ResourceGroupId = request.ResourceGroupId ?? "",
            ProductCode = source.ProductCode,
            SourceRegionId = source.RegionId,
            SourceImageId = source.Id,
            CreatedAt = now,
            // Mappings appear at once (progress 0%); each gets its snapshot id when the bytes are committed.
            DiskMappings = source.DiskMappings.OrderBy(m => m.Index).Select(m => new ImageDiskMappingEntity
            {
                RegionId = destination,
                ImageId = id,
                Index = m.Index,
                Type = m.Type,
                Device = m.Device,
                SnapshotId = null,
                SizeGiB = m.SizeGiB,
                Progress = m.SnapshotId is null ? 100 : 0,
            }).ToList(),
        };
    }

    private async Task<string?> ImageStatusAsync(string regionId, string imageId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return await db.Images.Where(i => i.RegionId == regionId && i.Id == imageId).Select(i => i.Status)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }
}
