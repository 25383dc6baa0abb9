using Imago.Core.Images.DiskBuilding;
using Imago.Core.Images.PublicCatalog;
using Imago.Core.Images.Seeding;
using System.Text.Json;
using System.Text.Json.Serialization;
using Imago.Core.Storage;
using Imago.Data.Entities;
using Imago.Storage;
using Imago.Storage.Metadata;
using Imago.Storage.Transfer;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Images;

public sealed class SeedingTests
{
    [Fact]
    public async Task SeedingTwiceAddsNothingAndLeavesEveryRowAndSnapshotAsItWas()
    {
        await using var env = await ImagesEnvironment.CreateAsync("cn-hangzhou", "us-west-1");
        var seeder = new PublicImageSeeder(env.Database, env.Stores, env.Regions);
        Assert.Equal(2 * PublicImageCatalog.Entries.Count, await seeder.SeedAsync(CancellationToken.None));
        var snapshotsBefore = env.Stores.All.ToDictionary(s => s.Key, s => s.Value.ListSnapshots().Order().ToArray());
        Assert.Equal(0, await seeder.SeedAsync(CancellationToken.None));
        Assert.All(env.Stores.All, s => Assert.Equal(snapshotsBefore[s.Key], s.Value.ListSnapshots().Order().ToArray()));

        await using var db = env.Database.CreateContext();
        Assert.Equal(2 * PublicImageCatalog.Entries.Count, await db.Images.CountAsync(i => i.Kind == ImageKinds.Public));
        var systemSnapshots = await db.Snapshots.Where(s => s.AccountId == null).ToListAsync();
        Assert.Equal(2 * PublicImageCatalog.Entries.Count, systemSnapshots.Count);
        Assert.All(systemSnapshots, s => Assert.True(env.Stores[s.RegionId].SnapshotExists(s.Id), s.Id));
        Assert.All(systemSnapshots, s => Assert.Equal((SnapshotStatuses.Accomplished, 100), (s.Status, s.Progress)));
    }

    [Fact]
    public async Task SeedingAgainLeavesEveryRowAndStoreRecordExactlyAsItWas()
    {
        await using var env = await ImagesEnvironment.CreateAsync("cn-hangzhou", "us-west-1");
        var seeder = new PublicImageSeeder(env.Database, env.Stores, env.Regions);
        await seeder.SeedAsync(CancellationToken.None);
        var before = await StateAsync(env);
        Assert.Equal(0, await seeder.SeedAsync(CancellationToken.None));
        Assert.Equal(before, await StateAsync(env));
    }

    [Fact]
    public async Task EveryRegionHoldsTheSameDiskForAnEntry()
    {
        await using var env = await ImagesEnvironment.CreateAsync("cn-hangzhou", "cn-shanghai", "us-west-1");
        await new PublicImageSeeder(env.Database, env.Stores, env.Regions).SeedAsync(CancellationToken.None);
        foreach (var definition in PublicImageCatalog.Entries)
        {
            // The root names the whole tree by content (SHA-256 of pages down to the data chunks): equal roots and
            // sizes are equal bytes.
            var records = new List<VersionRecord>();
            foreach (var regionId in env.Regions.RegionIds)
            {
                records.Add(Assert.IsType<VersionRecord>(await env.Stores[regionId].TryGetSnapshotRecordAsync(PublicImageSeeder.SnapshotId(regionId, definition))));
            }

            Assert.Single(records.Select(r => (r.Size, r.Root)).Distinct());
            Assert.Equal(definition.SizeGiB * (1L << 30), records[0].Size);
        }

        // And the same bytes as the generator gives, imported on its own.
        await using var fresh = await ImagesEnvironment.CreateAsync("cn-hangzhou");
        var sample = PublicImageCatalog.Entries[^1];
        await using (var disk = MarkerDisk.Build(sample))
        {
            await fresh.Stores["cn-hangzhou"].ImportAsync(disk, "s-check");
        }

        Assert.Equal((await fresh.Stores["cn-hangzhou"].TryGetSnapshotRecordAsync("s-check"))!.Root,
            (await env.Stores["us-west-1"].TryGetSnapshotRecordAsync(PublicImageSeeder.SnapshotId("us-west-1", sample)))!.Root);
    }

    [Fact]
    public async Task ARegionWhoseSnapshotsAllLandedBeforeACrashGetsOnlyItsRows()
    {
        await using var env = await ImagesEnvironment.CreateAsync("cn-hangzhou");
        var store = env.Stores["cn-hangzhou"];
        var disks = PublicImageCatalog.Entries.Select(MarkerDisk.Build).ToList();
        await store.ImportManyAsync([.. PublicImageCatalog.Entries.Select((d, i) => new SnapshotImport(disks[i], PublicImageSeeder.SnapshotId("cn-hangzhou", d)))]);
        var records = await RecordsAsync(store);

        Assert.Equal(PublicImageCatalog.Entries.Count, await new PublicImageSeeder(env.Database, env.Stores, env.Regions).SeedAsync(CancellationToken.None));
        Assert.Equal(records, await RecordsAsync(store)); // reused as they were, nothing imported again
        await using var db = env.Database.CreateContext();
        Assert.Equal(PublicImageCatalog.Entries.Count, await db.Snapshots.CountAsync(s => s.AccountId == null));
    }

    [Fact]
    public async Task TwoSeedersOnOneDatabaseAddEachRowOnce()
    {
        // Two services with their own data directories sharing one database (a PostgreSQL setup): each seeds its
        // stores, and whichever commits second finds the rows there.
        await using var env = await ImagesEnvironment.CreateAsync("cn-hangzhou", "us-west-1");
        await using var otherStores = await RegionStores.OpenAsync(env.File("other"), env.Regions);
        var added = await Task.WhenAll(
            new PublicImageSeeder(env.Database, env.Stores, env.Regions).SeedAsync(CancellationToken.None),
            new PublicImageSeeder(env.Database, otherStores, env.Regions).SeedAsync(CancellationToken.None));

        Assert.Equal(2 * PublicImageCatalog.Entries.Count, added.Sum());
        await using var db = env.Database.CreateContext();
        Assert.Equal(2 * PublicImageCatalog.Entries.Count, await db.Images.CountAsync(i => i.Kind == ImageKinds.Public));
        Assert.Equal(2 * PublicImageCatalog.Entries.Count, await db.ImageDiskMappings.CountAsync());
        Assert.Equal(2 * PublicImageCatalog.Entries.Count, await db.Snapshots.CountAsync(s => s.AccountId == null));
    }

    /// <summary>Every row the seeder writes and every store record, as text.</summary>
    private static async Task<string> StateAsync(ImagesEnvironment env)
    {
        await using var db = env.Database.CreateContext();
        var options = new JsonSerializerOptions { ReferenceHandler = ReferenceHandler.IgnoreCycles };
        var images = await db.Images.AsNoTracking().Include(i => i.DiskMappings).OrderBy(i => i.RegionId).ThenBy(i => i.Id).ToListAsync();
        var snapshots = await db.Snapshots.AsNoTracking().OrderBy(s => s.Id).ToListAsync();
        var records = new List<string>();
        foreach (var store in env.Stores.All.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            records.Add($"{store.Key}: {await RecordsAsync(store.Value)}");
        }

        return JsonSerializer.Serialize(images, options) + JsonSerializer.Serialize(snapshots, options) + string.Join("\n", records);
    }

    private static async Task<string> RecordsAsync(BlockStore store)
    {
        var records = new List<string>();
        foreach (var id in store.ListSnapshots().Order(StringComparer.Ordinal))
        {
            records.Add($"{id}={await store.TryGetSnapshotRecordAsync(id)}");
        }

        return string.Join(",", records);
    }

    [Fact]
    public async Task ASnapshotLeftByAnInterruptedSeedIsReusedNotDuplicated()
    {
        await using var env = await ImagesEnvironment.CreateAsync("cn-hangzhou");
        var definition = PublicImageCatalog.Entries[3];
        var snapshotId = PublicImageSeeder.SnapshotId("cn-hangzhou", definition);
        await using (var disk = MarkerDisk.Build(definition))
        {
            await env.Stores["cn-hangzhou"].ImportAsync(disk, snapshotId); // the bytes landed, then the process died
        }

        await new PublicImageSeeder(env.Database, env.Stores, env.Regions).SeedAsync(CancellationToken.None);
        Assert.Equal(PublicImageCatalog.Entries.Count, env.Stores["cn-hangzhou"].ListSnapshots().Count);
        await using var db = env.Database.CreateContext();
        var mapping = await db.ImageDiskMappings.SingleAsync(m => m.ImageId == definition.ImageId);
        Assert.Equal(snapshotId, mapping.SnapshotId);
    }

    [Fact]
    public async Task AnEntryThatAlreadyExistsIsLeftAlone()
    {
        await using var env = await ImagesEnvironment.CreateAsync("cn-hangzhou");
        var seeder = new PublicImageSeeder(env.Database, env.Stores, env.Regions);
        await seeder.SeedAsync(CancellationToken.None);
        var definition = PublicImageCatalog.Entries[0];
        await using (var db = env.Database.CreateContext())
        {
            var image = await db.Images.SingleAsync(i => i.Id == definition.ImageId);
            image.Description = "replaced by the operator";
            await db.SaveChangesAsync();
        }

        await seeder.SeedAsync(CancellationToken.None);
        await using var check = env.Database.CreateContext();
        Assert.Equal("replaced by the operator", (await check.Images.SingleAsync(i => i.Id == definition.ImageId)).Description);
    }

    [Fact]
    public void SnapshotIdsAreStablePerRegionAndEntry()
    {
        var definition = PublicImageCatalog.Entries[0];
        Assert.Equal(PublicImageSeeder.SnapshotId("cn-hangzhou", definition), PublicImageSeeder.SnapshotId("cn-hangzhou", definition));
        Assert.NotEqual(PublicImageSeeder.SnapshotId("cn-hangzhou", definition), PublicImageSeeder.SnapshotId("cn-shanghai", definition));
        Assert.StartsWith("s-bp", PublicImageSeeder.SnapshotId("cn-hangzhou", definition));
        Assert.Matches("^s-[a-z0-9]{20}$", PublicImageSeeder.SnapshotId("cn-hangzhou", PublicImageCatalog.Entries[1]));
    }
}
