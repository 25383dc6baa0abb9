using Imago.Api.Tests.Infrastructure;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Api.Tests.Hosting;

/// <summary>
/// The EF model on the backend the suite runs against (SQLite, and PostgreSQL in test.sh's second run): the
/// schema exists with its version, values round-trip with their types, and the constraints other areas rely
/// on (unique names, cascades, concurrency tokens) hold.
/// </summary>
public sealed class DatabaseBackendTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    private ImagoDatabase Database => server.GetRequiredService<ImagoDatabase>();

    [Fact]
    public async Task The_server_runs_on_the_configured_backend_with_the_current_schema_version()
    {
        Assert.Equal(server.IsPostgres, Database.Options.IsPostgres);
        await using var db = Database.CreateContext();
        Assert.Equal(server.IsPostgres ? "Npgsql.EntityFrameworkCore.PostgreSQL" : "Microsoft.EntityFrameworkCore.Sqlite", db.Database.ProviderName);
        Assert.Equal(ImagoDatabase.SchemaVersion, (await db.SchemaVersion.SingleAsync()).Version);
    }

    [Fact]
    public async Task A_newer_schema_version_is_refused_on_this_backend_too()
    {
        await using (var db = Database.CreateContext())
        {
            await db.SchemaVersion.ExecuteUpdateAsync(s => s.SetProperty(v => v.Version, ImagoDatabase.SchemaVersion + 1));
        }

        try
        {
            var refused = await Assert.ThrowsAsync<SchemaVersionException>(() => new ImagoDatabase(Database.Options).InitializeAsync());
            Assert.Contains($"has schema version {ImagoDatabase.SchemaVersion + 1}, newer than this imago knows", refused.Message);
            Assert.StartsWith($"the database {Database.Description} ", refused.Message);
        }
        finally
        {
            await using var db = Database.CreateContext();
            await db.SchemaVersion.ExecuteUpdateAsync(s => s.SetProperty(v => v.Version, ImagoDatabase.SchemaVersion));
        }
    }

    [Fact]
    public async Task An_image_with_mappings_tags_and_shares_round_trips_with_utc_times_and_cascades_on_delete()
    {
        var id = "m-bp1" + Guid.NewGuid().ToString("N")[..17];
        var created = new DateTime(2026, 11, 27, 10, 11, 12, 345, DateTimeKind.Utc).AddTicks(6780);
        await using (var db = Database.CreateContext())
        {
            db.Images.Add(new ImageEntity
            {
                RegionId = "cn-hangzhou", Id = id, OwnerAccountId = 1234567890123456, Kind = "custom", Name = "ünïcode name 镜像",
                Status = "Available", SizeGiB = 2048, IsSupportCloudinit = false, CreatedAt = created,
                DiskMappings =
                [
                    new ImageDiskMappingEntity { RegionId = "cn-hangzhou", ImageId = id, Index = 0, Type = "system", Device = "/dev/xvda", SnapshotId = "s-1", SizeGiB = 2048 },
                    new ImageDiskMappingEntity { RegionId = "cn-hangzhou", ImageId = id, Index = 1, Type = "data", Device = "/dev/xvdb", SnapshotId = null, SizeGiB = 5 },
                ],
            });
            db.ImageShares.Add(new ImageShareEntity { RegionId = "cn-hangzhou", ImageId = id, AccountId = 42, SharedAt = created });
            db.Tags.Add(new ResourceTagEntity { ResourceType = "image", ResourceId = id, RegionId = "cn-hangzhou", Key = "k", Value = "" });
            db.Tasks.Add(new TaskEntity { Id = "t-" + id, AccountId = 1, RegionId = "cn-hangzhou", Action = "CreateImage", Status = "Processing", CreatedAt = created, FinishedAt = null });
            await db.SaveChangesAsync();
        }

        await using (var db = Database.CreateContext())
        {
            var image = await db.Images.AsNoTracking().Include(i => i.DiskMappings).SingleAsync(i => i.RegionId == "cn-hangzhou" && i.Id == id);
            Assert.Equal("ünïcode name 镜像", image.Name);
            Assert.Equal(1234567890123456, image.OwnerAccountId);
            Assert.False(image.IsSupportCloudinit);
            Assert.Equal(DateTimeKind.Utc, image.CreatedAt.Kind);
            Assert.Equal(created, image.CreatedAt);
            Assert.Equal([("/dev/xvda", "s-1"), ("/dev/xvdb", null)], image.DiskMappings.OrderBy(m => m.Index).Select(m => (m.Device, m.SnapshotId)));
            var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == "t-" + id);
            Assert.Null(task.FinishedAt);
            Assert.Equal(created, (await db.ImageShares.AsNoTracking().SingleAsync(s => s.ImageId == id)).SharedAt);
        }

        await using (var db = Database.CreateContext())
        {
            Assert.Equal(1, await db.Images.Where(i => i.Id == id).ExecuteDeleteAsync());
            Assert.False(await db.ImageDiskMappings.AnyAsync(m => m.ImageId == id), "mappings are deleted with their image");
        }
    }

    [Fact]
    public async Task A_stale_version_loses_the_update_race_on_a_concurrency_token()
    {
        var id = "i-bp1" + Guid.NewGuid().ToString("N")[..17];
        await using (var db = Database.CreateContext())
        {
            db.Instances.Add(new InstanceEntity { Id = id, AccountId = 1, RegionId = "cn-hangzhou", ZoneId = "cn-hangzhou-h", Name = "x", InstanceType = "ecs.g7.large", ImageId = "m-1", Status = "Running" });
            await db.SaveChangesAsync();
        }

        await using var first = Database.CreateContext();
        await using var second = Database.CreateContext();
        var a = await first.Instances.SingleAsync(i => i.Id == id);
        var b = await second.Instances.SingleAsync(i => i.Id == id);
        a.Status = "Stopped";
        a.Version++;
        b.Status = "Deleted";
        b.Version++;

        await first.SaveChangesAsync();
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());

        await using var check = Database.CreateContext();
        Assert.Equal("Stopped", (await check.Instances.AsNoTracking().SingleAsync(i => i.Id == id)).Status);
    }

    [Fact]
    public async Task Account_names_are_unique_in_the_database_itself()
    {
        var name = "dup-" + Guid.NewGuid().ToString("N")[..12];
        await using (var db = Database.CreateContext())
        {
            db.Accounts.Add(new AccountEntity { Id = Random.Shared.NextInt64(1_000_000_000_000_000, 9_000_000_000_000_000), Name = name });
            await db.SaveChangesAsync();
        }

        await using var other = Database.CreateContext();
        other.Accounts.Add(new AccountEntity { Id = Random.Shared.NextInt64(1_000_000_000_000_000, 9_000_000_000_000_000), Name = name });
        await Assert.ThrowsAsync<DbUpdateException>(() => other.SaveChangesAsync());
    }
}
