using Imago.Core.Ids;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

// Usage: ApiSeed --data DIR [--db CONN] --account NAME --region REGION --count N
// Inserts N Available custom images owned by the account, each made from the system-disk snapshot of a public
// image of the region (the service must have run once on DIR so that public images are seeded). Going through
// the database instead of CreateImage keeps the per-region image quota out of the way of a 10,000-image listing.
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

string Option(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

var database = new ImagoDatabase(new DatabaseOptions(Path.GetFullPath(Option("data")), options.GetValueOrDefault("db")));
var region = Option("region");
var accountName = Option("account");
var count = int.Parse(Option("count"), System.Globalization.CultureInfo.InvariantCulture);

await using (var db = database.CreateContext())
{
    var account = await db.Accounts.SingleAsync(a => a.Name == accountName);
    var source = await db.ImageDiskMappings.FirstAsync(m => m.RegionId == region && m.Index == 0 && m.SnapshotId != null);
    var now = DateTime.UtcNow;
    const int Batch = 1000;
    for (var done = 0; done < count; done += Batch)
    {
        await using var batch = database.CreateContext();
        for (var i = done; i < Math.Min(count, done + Batch); i++)
        {
            var id = ResourceIds.NewImageId(region);
            batch.Images.Add(new ImageEntity
            {
                RegionId = region,
                Id = id,
                OwnerAccountId = account.Id,
                Kind = ImageKinds.Custom,
                Name = $"bench-image-{i:D5}",
                Status = ImageStatuses.Available,
                Progress = 100,
                Platform = "Ubuntu",
                OSNameEn = "Ubuntu 22.04 64 bit",
                SizeGiB = source.SizeGiB,
                CreatedAt = now.AddSeconds(-i),
                DiskMappings =
                [
                    new ImageDiskMappingEntity
                    {
                        RegionId = region, ImageId = id, Index = 0, Type = "system", Device = "/dev/xvda",
                        SnapshotId = source.SnapshotId, SizeGiB = source.SizeGiB,
                    },
                ],
            });
        }

        await batch.SaveChangesAsync();
    }

    if (database.Options.IsPostgres)
    {
        // A database in service has had autovacuum analyze a bulk of new rows; without statistics the planner
        // sorts the whole table for a page instead of walking the (RegionId, CreatedAt) index. The benchmark
        // measures the steady state, so it analyzes now rather than racing autovacuum's next round.
        await db.Database.ExecuteSqlRawAsync("ANALYZE");
    }

    Console.WriteLine($"seeded {count} images for account {account.Name} in {region}");
}
