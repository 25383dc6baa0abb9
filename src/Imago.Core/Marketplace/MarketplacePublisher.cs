using Imago.Core.Copying;
using Imago.Core.Ids;
using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Formats;
using Imago.Formats.Conversion;
using Imago.Storage;
using Imago.Storage.Metadata;
using Imago.Storage.Replication;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Marketplace;

/// <summary>
/// Publishing to the image market (<c>imago admin marketplace publish</c>, docs/marketplace.md): a product from an
/// image file or from an existing custom image (<see cref="MarketplaceCatalog"/> does the rest). A product's image is one <see cref="ImageKinds.Marketplace"/> image with the same id in every region it
/// is published in, each with its own system-owned snapshots in that region's store. Bytes first: every store
/// snapshot exists before the one transaction that writes the product, its images and their snapshot rows, and a
/// failed transaction removes the snapshots again.
/// </summary>
public sealed class MarketplacePublisher(ImagoDatabase database, RegionStores stores, RegionCatalog regions, TimeProvider time)
{
    /// <summary>Publishes a product whose image is <paramref name="path"/> (raw, qcow2 or VHD, opened by the format engine).</summary>
    public async Task<MarketplaceProductEntity> PublishFromFileAsync(ProductDefinition definition, string path, ImageFormat? format,
        ProductImageAttributes attributes, Func<string, IProgress<ConvertProgress>?>? progressFor, CancellationToken cancellationToken)
    {
        ProductDefinitions.Check(definition, regions);
        await RequireNewCodeAsync(definition.ProductCode, cancellationToken).ConfigureAwait(false);
        await using var file = await DiskImages.OpenAsync(path, format, cancellationToken).ConfigureAwait(false);
        // The OS attributes of the new image (the "source" it is made like); a file has no source image.
        var attributesOf = new ImageEntity
        {
            RegionId = "",
            Id = "",
            Kind = ImageKinds.Marketplace,
            Name = definition.Name,
            Status = ImageStatuses.Available,
            Platform = attributes.Platform,
            OSType = attributes.OSType,
            OSNameEn = attributes.Platform,
            OSName = attributes.Platform,
            Architecture = attributes.Architecture,
            BootMode = attributes.BootMode,
        };
        return await PlaceAndSaveAsync(definition, attributesOf, sourceImage: false, async placed =>
        {
            foreach (var regionId in definition.RegionIds)
            {
                var snapshotId = ResourceIds.NewSnapshotId(regionId);
                await stores[regionId].ImportAsync(file, snapshotId, progressFor?.Invoke(regionId), cancellationToken).ConfigureAwait(false);
                placed.Add(await PlacedAsync(regionId, 0, "system", snapshotId, 0, cancellationToken).ConfigureAwait(false));
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes a product whose image is a copy of <paramref name="sourceImageId"/>, an Available custom image of
    /// any account in <paramref name="sourceRegionId"/> that is not itself of a product: each of its snapshots is
    /// replicated (as CopyImage does) into every published region under a new id, so the product's image does not
    /// depend on the source, which its owner may delete.
    /// </summary>
    public async Task<MarketplaceProductEntity> PublishFromImageAsync(ProductDefinition definition, string sourceRegionId, string sourceImageId,
        CancellationToken cancellationToken)
    {
        ProductDefinitions.Check(definition, regions);
        if (!regions.Contains(sourceRegionId))
        {
            throw new MarketplaceException($"--from-image: no region '{Errors.EcsErrors.Printable(sourceRegionId)}'");
        }

        await RequireNewCodeAsync(definition.ProductCode, cancellationToken).ConfigureAwait(false);
        ImageEntity source;
        await using (var db = database.CreateContext())
        {
            source = await db.Images.AsNoTracking().Include(i => i.DiskMappings)
                .FirstOrDefaultAsync(i => i.RegionId == sourceRegionId && i.Id == sourceImageId, cancellationToken).ConfigureAwait(false)
                ?? throw new MarketplaceException($"--from-image: no image {Errors.EcsErrors.Printable(sourceImageId)} in {sourceRegionId}");
        }

        if (source.Kind != ImageKinds.Custom || source.Status != ImageStatuses.Available)
        {
            throw new MarketplaceException($"--from-image: {sourceImageId} is not an Available custom image (it is {source.Kind}, {source.Status})");
        }

        if (source.ProductCode.Length > 0)
        {
            throw new MarketplaceException($"--from-image: {sourceImageId} is already of product {source.ProductCode}");
        }

        return await PlaceAndSaveAsync(definition, source, sourceImage: true, async placed =>
        {
            foreach (var regionId in definition.RegionIds)
            {
                foreach (var mapping in source.DiskMappings.OrderBy(m => m.Index))
                {
                    if (mapping.SnapshotId is not { } sourceSnapshotId)
                    {
                        placed.Add(new PlacedSnapshot(regionId, mapping.Index, mapping.Type, null, mapping.SizeGiB, 0));
                        continue;
                    }

                    var snapshotId = ResourceIds.NewSnapshotId(regionId);
                    var transport = new RenamingChunkTransport(new LocalChunkTransport(stores[regionId]), sourceSnapshotId, snapshotId);
                    await using (transport.ConfigureAwait(false))
                    {
                        await SnapshotReplicator.ReplicateAsync(stores[sourceRegionId], sourceSnapshotId, transport, null, cancellationToken).ConfigureAwait(false);
                    }

                    placed.Add(await PlacedAsync(regionId, mapping.Index, mapping.Type, snapshotId, mapping.SizeGiB, cancellationToken).ConfigureAwait(false));
                }
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Bytes first: <paramref name="place"/> puts the store snapshots (adding each to the list as soon as it exists),
    /// then the rows are saved; if either fails, the snapshots placed so far are deleted again.
    /// </summary>
    private async Task<MarketplaceProductEntity> PlaceAndSaveAsync(ProductDefinition definition, ImageEntity attributesOf, bool sourceImage,
        Func<List<PlacedSnapshot>, Task> place, CancellationToken cancellationToken)
    {
        var placed = new List<PlacedSnapshot>();
        try
        {
            await place(placed).ConfigureAwait(false);
            return await SaveAsync(definition, attributesOf, sourceImage, placed, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DiscardAsync(placed).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The product, its images (one per region, same id) and their system-owned snapshot rows, in one transaction.</summary>
    private async Task<MarketplaceProductEntity> SaveAsync(ProductDefinition definition, ImageEntity attributesOf, bool sourceImage,
        IReadOnlyList<PlacedSnapshot> placed, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var imageId = ResourceIds.NewImageId(definition.RegionIds[0]);
        var product = new MarketplaceProductEntity
        {
            ProductCode = definition.ProductCode,
            Name = definition.Name,
            Vendor = definition.Vendor,
            ImageVersion = definition.ImageVersion,
            Description = definition.Description,
            Status = MarketplaceProductStatuses.Published,
            RequiresSubscription = definition.RequiresSubscription,
            Currency = definition.Currency,
            HourlyPrice = definition.HourlyPrice,
            MonthlyPrice = definition.MonthlyPrice,
            RegionIds = string.Join(',', definition.RegionIds),
            ImageId = imageId,
            PublishedAt = now,
        };
        await using var db = database.CreateContext();
        db.MarketplaceProducts.Add(product);
        foreach (var region in placed.GroupBy(p => p.RegionId))
        {
            var disks = region.OrderBy(p => p.Index).ToList();
            var image = NewImage(attributesOf, sourceImage, definition, region.Key, imageId, disks, now);
            db.Images.Add(image);
            db.Snapshots.AddRange(disks.Where(d => d.SnapshotId is not null).Select(d => new SnapshotEntity
            {
                Id = d.SnapshotId!,
                AccountId = null,
                RegionId = d.RegionId,
                Name = $"{definition.ProductCode}-{d.Index}",
                Description = $"Snapshot of marketplace image {imageId} (product {definition.ProductCode}).",
                Status = SnapshotStatuses.Accomplished,
                Progress = 100,
                SourceDiskType = d.Type,
                SourceDiskSizeGiB = d.SizeGiB,
                ProductCode = definition.ProductCode,
                DiskImageId = imageId,
                StoredBytes = d.StoredBytes,
                CreatedAt = now,
            }));
        }

        try
        {
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            throw new MarketplaceException($"product {definition.ProductCode} exists (published meanwhile)");
        }

        return product;
    }

    /// <summary>The marketplace image in one region, with the OS attributes of <paramref name="attributesOf"/> (recorded as its source when <paramref name="sourceImage"/>).</summary>
    private static ImageEntity NewImage(ImageEntity attributesOf, bool sourceImage, ProductDefinition definition, string regionId, string imageId,
        IReadOnlyList<PlacedSnapshot> disks, DateTime now) => new()
    {
        RegionId = regionId,
        Id = imageId,
        OwnerAccountId = null,
        Kind = ImageKinds.Marketplace,
        Name = definition.Name,
        Description = definition.Description,
        ImageVersion = definition.ImageVersion,
        Status = ImageStatuses.Available,
        Progress = 100,
        OSType = attributesOf.OSType,
        Platform = attributesOf.Platform,
        OSName = attributesOf.OSName,
        OSNameEn = attributesOf.OSNameEn,
        Architecture = attributesOf.Architecture,
        BootMode = attributesOf.BootMode,
        SizeGiB = Math.Max(attributesOf.SizeGiB, disks[0].SizeGiB),
        IsSupportCloudinit = attributesOf.IsSupportCloudinit,
        IsSupportIoOptimized = attributesOf.IsSupportIoOptimized,
        LicenseType = attributesOf.LicenseType,
        NvmeSupport = attributesOf.NvmeSupport,
        ImdsSupport = attributesOf.ImdsSupport,
        ProductCode = definition.ProductCode,
        SourceRegionId = sourceImage ? attributesOf.RegionId : null,
        SourceImageId = sourceImage ? attributesOf.Id : null,
        CreatedAt = now,
        DiskMappings = [.. disks.Select(d => new ImageDiskMappingEntity
        {
            RegionId = regionId,
            ImageId = imageId,
            Index = d.Index,
            Type = d.Type,
            Device = ImageCreation.ImageSourcePlanner.DeviceName(d.Index),
            SnapshotId = d.SnapshotId,
            SizeGiB = d.SizeGiB,
            Progress = 100,
        })],
    };

    private async Task<PlacedSnapshot> PlacedAsync(string regionId, int index, string type, string snapshotId, int declaredGiB, CancellationToken cancellationToken)
    {
        var info = await stores[regionId].GetInfoAsync(VersionKind.Snapshot, snapshotId, cancellationToken).ConfigureAwait(false);
        var sizeGiB = (int)Math.Min(int.MaxValue, (info.Size + (1L << 30) - 1) >> 30);
        return new PlacedSnapshot(regionId, index, type, snapshotId, Math.Max(declaredGiB, sizeGiB), info.UniqueBytes);
    }

    private async Task DiscardAsync(IEnumerable<PlacedSnapshot> placed)
    {
        foreach (var snapshot in placed.Where(p => p.SnapshotId is not null))
        {
            var store = stores[snapshot.RegionId];
            if (store.SnapshotExists(snapshot.SnapshotId!))
            {
                await store.DeleteSnapshotAsync(snapshot.SnapshotId!, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task RequireNewCodeAsync(string productCode, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        if (await db.MarketplaceProducts.AnyAsync(p => p.ProductCode == productCode, cancellationToken).ConfigureAwait(false))
        {
            throw new MarketplaceException($"product {productCode} exists: a product code is published once (publish a new version under a new code)");
        }
    }

    private sealed record PlacedSnapshot(string RegionId, int Index, string Type, string? SnapshotId, int SizeGiB, long StoredBytes);
}
