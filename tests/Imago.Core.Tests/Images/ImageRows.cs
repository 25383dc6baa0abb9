using Imago.Data;
using Imago.Data.Entities;

namespace Imago.Core.Tests.Images;

/// <summary>Inserts rows directly (custom images, shares, tags, instances, disks): Core tests need no CreateImage.</summary>
internal static class ImageRows
{
    public static async Task<ImageEntity> AddCustomImageAsync(ImagoDatabase database, long owner, string regionId, string name,
        string status = ImageStatuses.Available, string architecture = "x86_64", DateTime? createdAt = null, string family = "",
        string osType = "linux", bool cloudinit = true)
    {
        var id = Ids.ResourceIds.NewImageId(regionId);
        var snapshotId = Ids.ResourceIds.NewSnapshotId(regionId);
        var image = new ImageEntity
        {
            RegionId = regionId,
            Id = id,
            OwnerAccountId = owner,
            Kind = ImageKinds.Custom,
            Name = name,
            Status = status,
            Progress = status == ImageStatuses.Available ? 100 : 40,
            Architecture = architecture,
            OSType = osType,
            Family = family,
            IsSupportCloudinit = cloudinit,
            SizeGiB = 40,
            CreatedAt = createdAt ?? new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            DiskMappings =
            [
                new ImageDiskMappingEntity { RegionId = regionId, ImageId = id, Index = 0, Type = "system", Device = "/dev/xvda", SnapshotId = snapshotId, SizeGiB = 40 },
                new ImageDiskMappingEntity { RegionId = regionId, ImageId = id, Index = 1, Type = "data", Device = "/dev/xvdb", SnapshotId = null, SizeGiB = 100 },
            ],
        };
        await using var db = database.CreateContext();
        db.Images.Add(image);
        db.Snapshots.Add(new SnapshotEntity { Id = snapshotId, AccountId = owner, RegionId = regionId, Status = SnapshotStatuses.Accomplished, Progress = 100, SourceDiskSizeGiB = 40 });
        await db.SaveChangesAsync();
        return image;
    }

    public static async Task ShareAsync(ImagoDatabase database, ImageEntity image, long withAccount)
    {
        await using var db = database.CreateContext();
        db.ImageShares.Add(new ImageShareEntity { RegionId = image.RegionId, ImageId = image.Id, AccountId = withAccount, SharedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    public static async Task TagAsync(ImagoDatabase database, ImageEntity image, string key, string value)
    {
        await using var db = database.CreateContext();
        db.Tags.Add(new ResourceTagEntity { ResourceType = "image", ResourceId = image.Id, RegionId = image.RegionId, Key = key, Value = value });
        await db.SaveChangesAsync();
    }

    /// <summary>An instance of <paramref name="account"/> whose system disk came from <paramref name="imageId"/>.</summary>
    public static async Task<string> AddInstanceAsync(ImagoDatabase database, long account, string regionId, string imageId)
    {
        var id = Ids.ResourceIds.NewInstanceId(regionId);
        await using var db = database.CreateContext();
        db.Instances.Add(new InstanceEntity
        {
            Id = id, AccountId = account, RegionId = regionId, ZoneId = regionId + "-h", Name = "vm", InstanceType = "ecs.g7.large",
            ImageId = imageId, Status = InstanceStatuses.Running,
        });
        await db.SaveChangesAsync();
        return id;
    }

    /// <summary>A data disk created from one of the image's mappings (no instance points at the image itself).</summary>
    public static async Task AddDiskAsync(ImagoDatabase database, long account, string regionId, string imageId)
    {
        await using var db = database.CreateContext();
        db.Disks.Add(new DiskEntity
        {
            Id = Ids.ResourceIds.NewDiskId(regionId), AccountId = account, RegionId = regionId, ZoneId = regionId + "-h", Type = "data",
            Status = DiskStatuses.Available, ImageId = imageId, SizeGiB = 100,
        });
        await db.SaveChangesAsync();
    }

    public static async Task AddTaskAsync(ImagoDatabase database, long account, string regionId, string imageId, string action)
    {
        await using var db = database.CreateContext();
        db.Tasks.Add(new TaskEntity
        {
            Id = Ids.ResourceIds.NewTaskId(regionId), AccountId = account, RegionId = regionId, Action = action,
            Status = TaskStatuses.Processing, ResourceId = imageId,
        });
        await db.SaveChangesAsync();
    }
}
