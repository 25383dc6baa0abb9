using Imago.Core.Images.DiskBuilding;
using Imago.Core.Images.PublicCatalog;
using Imago.Core.Images.Seeding;
using Imago.Data.Entities;
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
