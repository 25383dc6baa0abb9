using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;
using Imago.Core.Accounts;
using Imago.Core.Ids;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Data.Entities;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Copying;

/// <summary>What the copy tests share: an account's custom image with random bytes, CopyImage, and the copy's view in its region.</summary>
internal static class CopyApi
{
    public const string Destination = "cn-shanghai";
    public const int ChunkSize = 256 * 1024;

    public static async Task<(EcsClient Client, NewAccount Account)> AccountAsync(ImagoServer server)
    {
        var account = await server.CreateAccountAsync();
        return (new EcsClient(server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret), account);
    }

    /// <summary>An Available custom image of <paramref name="owner"/> in cn-hangzhou whose system snapshot holds <paramref name="chunks"/> random chunks.</summary>
    public static async Task<string> AddCustomImageAsync(ImagoServer server, long owner, int chunks, string status = ImageStatuses.Available)
    {
        var store = server.GetRequiredService<RegionStores>()[Region];
        var imageId = ResourceIds.NewImageId(Region);
        var snapshotId = ResourceIds.NewSnapshotId(Region);
        var scratch = "scratch-" + Guid.NewGuid().ToString("N");
        await store.CreateVolumeAsync(scratch, 1L << 30);
        await using (var volume = await store.OpenVolumeAsync(scratch))
        {
            var bytes = new byte[chunks * ChunkSize];
            Random.Shared.NextBytes(bytes);
            await volume.WriteAsync(0, bytes);
        }

        await store.SnapshotAsync(scratch, snapshotId);
        await store.DeleteVolumeAsync(scratch);
        await using var db = server.GetRequiredService<ImagoDatabase>().CreateContext();
        db.Snapshots.Add(new SnapshotEntity
        {
            Id = snapshotId, AccountId = owner, RegionId = Region, Status = SnapshotStatuses.Accomplished, Progress = 100,
            SourceDiskSizeGiB = 1, DiskImageId = imageId, CreatedAt = DateTime.UtcNow,
        });
        var image = new ImageEntity
        {
            RegionId = Region, Id = imageId, OwnerAccountId = owner, Kind = ImageKinds.Custom, Name = "src-" + imageId[2..], Status = status,
            Progress = 100, SizeGiB = 1, Platform = "Ubuntu", CreatedAt = DateTime.UtcNow,
        };
        image.DiskMappings.Add(new ImageDiskMappingEntity
        {
            RegionId = Region, ImageId = imageId, Index = 0, Type = "system", Device = "/dev/xvda", SnapshotId = snapshotId, SizeGiB = 1,
        });
        db.Images.Add(image);
        await db.SaveChangesAsync();
        return imageId;
    }

    public static async Task<string> CopyAsync(EcsClient client, string imageId, params (string Key, string Value)[] extra) =>
        Text(await client.CallOkAsync("CopyImage",
            Params([("RegionId", Region), ("ImageId", imageId), ("DestinationRegionId", Destination), .. extra])), "ImageId");

    public static async Task<JsonNode?> CopyViewAsync(EcsClient client, string imageId, string region = Destination)
    {
        var images = await client.CallOkAsync("DescribeImages", Params(("RegionId", region), ("ImageId", imageId),
            ("Status", "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated")));
        return images["Images"]!["Image"]!.AsArray().SingleOrDefault();
    }

    /// <summary>Polls the copy until <paramref name="done"/> holds for its view (bounded, ~40 s).</summary>
    public static async Task<JsonNode?> WaitForCopyAsync(EcsClient client, string imageId, Func<JsonNode?, bool> done, string what, string region = Destination)
    {
        for (var i = 0; i < 800; i++)
        {
            var view = await CopyViewAsync(client, imageId, region);
            if (done(view))
            {
                return view;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"copy {imageId}: timed out waiting for {what}");
    }

    public static Task<JsonNode?> WaitAvailableAsync(EcsClient client, string imageId) =>
        WaitForCopyAsync(client, imageId, v => v is not null && Text(v, "Status") == "Available", "Available");
}
