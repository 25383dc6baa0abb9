using System.Security.Cryptography;
using System.Text;
using Imago.Core.Ids;
using Imago.Core.Images.DiskBuilding;
using Imago.Core.Images.PublicCatalog;
using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Data;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Images.Seeding;

/// <summary>
/// Makes every catalog image available in every configured region at service start. Idempotent: an image that
/// exists in a region (seeded earlier, or replaced by an operator's import) is left alone. Crash-safe: the store
/// snapshot is written first under an id derived from the entry, so a run interrupted before the rows reuses it.
/// </summary>
public sealed class PublicImageSeeder(ImagoDatabase database, RegionStores stores, RegionCatalog regions)
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>Seeds what is missing; returns how many (region, image) entries were added.</summary>
    public async Task<int> SeedAsync(CancellationToken cancellationToken)
    {
        var installer = new PublicImageInstaller(database, stores);
        var added = 0;
        foreach (var regionId in regions.RegionIds)
        {
            HashSet<string> existing;
            await using (var db = database.CreateContext())
            {
                existing = [.. await db.Images.Where(i => i.RegionId == regionId).Select(i => i.Id).ToListAsync(cancellationToken).ConfigureAwait(false)];
            }

            foreach (var definition in PublicImageCatalog.Entries.Where(d => !existing.Contains(d.ImageId)))
            {
                var snapshotId = SnapshotId(regionId, definition);
                var store = stores[regionId];
                if (!store.SnapshotExists(snapshotId))
                {
                    await using var disk = MarkerDisk.Build(definition);
                    await store.ImportAsync(disk, snapshotId, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                if (await installer.AddAsync(regionId, definition, snapshotId, cancellationToken).ConfigureAwait(false))
                {
                    added++;
                }
            }
        }

        return added;
    }

    /// <summary>
    /// <c>s-</c>, the region code and 18 characters derived from the entry's content: the same on every run (a
    /// retry after a crash finds the snapshot it wrote) and different when the catalog entry changes.
    /// </summary>
    internal static string SnapshotId(string regionId, PublicImageDefinition definition)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{regionId}\n{definition.ImageId}\n{definition.SizeGiB}\n{definition.BootMode}\n{definition.MarkerPath}\n{definition.MarkerText}"));
        var suffix = new char[18];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = Alphabet[hash[i] % Alphabet.Length];
        }

        return $"s-{ResourceIds.RegionCode(regionId)}{new string(suffix)}";
    }
}
