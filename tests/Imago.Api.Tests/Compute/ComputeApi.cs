using Imago.Api.Tests.Infrastructure;
using Imago.Core.Ids;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Data.Entities;

namespace Imago.Api.Tests.Compute;

/// <summary>
/// What the compute HTTP tests share: a client for a fresh account, and an image made as the image areas make
/// them (a store snapshot holding known bytes, then the rows), so these tests do not depend on the catalog.
/// </summary>
internal static class ComputeApi
{
    public const string Region = "cn-hangzhou";
    public const long MarkerOffset = 1 << 20;

    public static async Task<EcsClient> ClientAsync(ImagoServer server)
    {
        var account = await server.CreateAccountAsync();
        return new EcsClient(server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret);
    }

    /// <summary>A public image of <paramref name="sizeGiB"/> GiB whose system snapshot has <paramref name="marker"/> at 1 MiB.</summary>
    public static async Task<string> AddImageAsync(ImagoServer server, byte marker, int sizeGiB = 20, string regionId = Region)
    {
        var store = server.GetRequiredService<RegionStores>()[regionId];
        var imageId = ResourceIds.NewImageId(regionId);
        var snapshotId = ResourceIds.NewSnapshotId(regionId);
        var scratch = "scratch-" + Guid.NewGuid().ToString("N");
        await store.CreateVolumeAsync(scratch, 64L << 20);
        await using (var volume = await store.OpenVolumeAsync(scratch))
        {
            await volume.WriteAsync(MarkerOffset, Enumerable.Repeat(marker, 4096).ToArray());
        }

        await store.SnapshotAsync(scratch, snapshotId);
        await store.DeleteVolumeAsync(scratch);

        await using var db = server.GetRequiredService<ImagoDatabase>().CreateContext();
        var image = new ImageEntity
        {
            RegionId = regionId,
            Id = imageId,
            Kind = ImageKinds.Public,
            Name = "test-" + imageId,
            Status = ImageStatuses.Available,
            Progress = 100,
            SizeGiB = sizeGiB,
            OSName = "Test Linux 1 64位",
            OSNameEn = "Test Linux 1 64 bit",
            CreatedAt = DateTime.UtcNow,
        };
        image.DiskMappings.Add(new ImageDiskMappingEntity
        {
            RegionId = regionId,
            ImageId = imageId,
            Index = 0,
            Type = "system",
            Device = "/dev/xvda",
            SnapshotId = snapshotId,
            SizeGiB = sizeGiB,
        });
        db.Images.Add(image);
        await db.SaveChangesAsync();
        return imageId;
    }

    public static Dictionary<string, string> Params(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);
}
