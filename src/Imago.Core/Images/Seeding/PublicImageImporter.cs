using Imago.Core.Ids;
using Imago.Core.Images.PublicCatalog;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Formats;
using Imago.Formats.Conversion;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Images.Seeding;

/// <summary>
/// <c>imago admin public-image import</c>: a real raw/qcow2/VHD file (opened through the format engine's inspector,
/// which refuses hostile or unsupported files) becomes a public image in every region, replacing the catalog
/// entry with the same id or adding a new one. Per region: a new store snapshot, then the rows are swapped, then the
/// old snapshot is removed if nothing was made from it. Re-running after a failure completes the remaining regions.
/// </summary>
public sealed class PublicImageImporter(ImagoDatabase database, RegionStores stores)
{
    /// <summary>The stored metadata of a public image (from its first region), or the catalog's, or null.</summary>
    public async Task<PublicImageDefinition?> FindAsync(string imageId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var row = await db.Images.AsNoTracking().Where(i => i.Id == imageId && i.Kind == ImageKinds.Public)
            .OrderBy(i => i.RegionId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null
            ? PublicImageCatalog.Find(imageId)
            : new PublicImageDefinition(row.Id, row.Platform, row.OSType, row.OSName, row.OSNameEn, row.Architecture, row.BootMode,
                row.SizeGiB, row.Family, row.CreatedAt, row.IsSupportCloudinit, row.IsSupportIoOptimized, row.NvmeSupport, row.ImdsSupport,
                row.Description) { ImageName = row.Name };
    }

    /// <summary>Public images with the regions that have them (for <c>public-image list</c>).</summary>
    /// <remarks>Reads only the database (no store is opened), so it works while serve runs.</remarks>
    public static async Task<IReadOnlyList<(ImageEntity Image, IReadOnlyList<string> Regions)>> ListAsync(ImagoDatabase database, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var rows = await db.Images.AsNoTracking().Where(i => i.Kind == ImageKinds.Public).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.GroupBy(i => i.Id, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.OrderBy(i => i.RegionId, StringComparer.Ordinal).First(), (IReadOnlyList<string>)[.. g.Select(i => i.RegionId).Order(StringComparer.Ordinal)]))];
    }

    /// <summary>
    /// Imports <paramref name="path"/> into every region as <paramref name="definition"/> (its size is taken from
    /// the file). <paramref name="progressFor"/> gives each region's import a progress sink. Returns the regions
    /// done, with the new snapshot ids.
    /// </summary>
    public async Task<IReadOnlyList<(string RegionId, string SnapshotId)>> ImportAsync(string path, ImageFormat? format,
        PublicImageDefinition definition, Func<string, IProgress<ConvertProgress>?>? progressFor, CancellationToken cancellationToken)
    {
        var installer = new PublicImageInstaller(database, stores);
        var done = new List<(string, string)>();
        await using var image = await DiskImages.OpenAsync(path, format, cancellationToken).ConfigureAwait(false);
        var sized = definition with { SizeGiB = PublicImageInstaller.SizeGiB(image.VirtualSize) };
        foreach (var (regionId, store) in stores.All.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var snapshotId = ResourceIds.NewSnapshotId(regionId);
            await store.ImportAsync(image, snapshotId, progressFor?.Invoke(regionId), cancellationToken).ConfigureAwait(false);
            string? replaced;
            try
            {
                replaced = await installer.AddOrReplaceAsync(regionId, sized, snapshotId, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // The transaction did not commit, so no row points at the new snapshot: remove it rather than
                // leave unreferenced bytes behind.
                await store.DeleteSnapshotAsync(snapshotId, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            if (replaced is not null)
            {
                await installer.RemoveUnusedSnapshotAsync(regionId, replaced, cancellationToken).ConfigureAwait(false);
            }

            done.Add((regionId, snapshotId));
        }

        return done;
    }
}
