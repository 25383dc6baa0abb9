using Imago.Core.Buckets;
using Imago.Core.Common;
using Imago.Core.Exporting;
using Imago.Core.Ids;
using Imago.Core.Tests.Importing;
using Imago.Core.Tests.Snapshots;
using Imago.Data.Entities;
using Imago.Formats;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Exporting;

/// <summary>
/// ExportImage over the snapshot harness: a bucket store (optionally holding one key's put until cancelled), the
/// staging area, and images whose disks are files made by qemu-img, imported into the region's store.
/// </summary>
internal sealed class ExportHarness : IAsyncDisposable
{
    public const string Region = SnapshotHarness.Region;

    private ExportHarness(SnapshotHarness env, GatedBucketStore buckets, ExportStaging staging)
    {
        Env = env;
        Buckets = buckets;
        Staging = staging;
        Exports = new ImageExportService(env.Database, buckets, env.Regions, env.Runner);
    }

    public SnapshotHarness Env { get; }

    public GatedBucketStore Buckets { get; }

    public ExportStaging Staging { get; }

    public ImageExportService Exports { get; }

    /// <summary>Opens on <paramref name="directory"/>; a put of <paramref name="gatedPutKey"/> waits until cancelled.</summary>
    public static async Task<ExportHarness> OpenAsync(string directory, string? gatedPutKey = null, bool startRunner = true,
        TransferThrottle? throttle = null)
    {
        var handler = new DeferredTaskHandler(ExportErrors.TaskKind);
        var env = await SnapshotHarness.OpenAsync(directory, startRunner: false, handler);
        var buckets = new GatedBucketStore(DirectoryBucketStore.Open(directory), gatedKey: "", gatedPutKey: gatedPutKey);
        var staging = ExportStaging.Open(directory);
        handler.Inner = new ExportImageTaskHandler(env.Stores, buckets, staging, TimeProvider.System, throttle);
        if (startRunner)
        {
            await env.Runner.StartAsync(CancellationToken.None);
        }

        return new ExportHarness(env, buckets, staging);
    }

    /// <summary>A custom image of <paramref name="accountId"/> whose disks (system first) hold the given disk files' bytes.</summary>
    public async Task<ImageEntity> AddImageAsync(long accountId, IReadOnlyList<(string Path, string QemuFormat)> disks, string productCode = "",
        string status = ImageStatuses.Available, string? imageId = null)
    {
        var image = new ImageEntity
        {
            RegionId = Region,
            Id = imageId ?? ResourceIds.NewImageId(Region),
            OwnerAccountId = accountId,
            Kind = ImageKinds.Custom,
            Name = "exportable-" + Guid.NewGuid().ToString("N")[..8],
            Status = status,
            Progress = 100,
            SizeGiB = 1,
            ProductCode = productCode,
            CreatedAt = DateTime.UtcNow,
        };
        foreach (var ((path, format), index) in disks.Select((d, i) => (d, i)))
        {
            var snapshotId = ResourceIds.NewSnapshotId(Region);
            await using (var source = await DiskImages.OpenAsync(path, format == "vpc" ? ImageFormat.Vhd : Enum.Parse<ImageFormat>(format, ignoreCase: true)))
            {
                await Env.Store.ImportAsync(source, snapshotId);
            }

            image.DiskMappings.Add(new ImageDiskMappingEntity
            {
                RegionId = Region,
                ImageId = image.Id,
                Index = index,
                Type = index == 0 ? "system" : "data",
                Device = "/dev/xvd" + (char)('a' + index),
                SnapshotId = snapshotId,
                SizeGiB = 1,
            });
        }

        await using var db = Env.Database.CreateContext();
        db.Images.Add(image);
        await db.SaveChangesAsync();
        return image;
    }

    /// <summary>A disk file made by qemu-img (at least 2 MiB): <paramref name="pattern"/> written at 1 MiB (64 KiB) and at the last 64 KiB.</summary>
    public static string MakeDisk(TempDirectory temp, string format, byte pattern, long size = 32L << 20)
    {
        var path = Path.Combine(temp.Path, $"source-{Guid.NewGuid():N}.{format}");
        QemuImg.Create(path, format, size);
        QemuImg.IoCommands(path, format, $"write -P 0x{pattern:x2} 1M 64k", $"write -P 0x{pattern:x2} {size - 65536} 64k");
        return path;
    }

    /// <summary>
    /// The exported file is sound: qemu-img check passes for qcow2; qemu-img has no check for VHD or raw (exit 63,
    /// "does not support checks"), so a VHD is checked by the format engine's checker (imago img check).
    /// </summary>
    public static async Task AssertSoundAsync(string path, string qemuFormat)
    {
        var (exitCode, _) = QemuImg.Check(path, qemuFormat);
        Assert.Equal(qemuFormat == "qcow2" ? 0 : 63, exitCode);
        if (qemuFormat == "vpc")
        {
            using var source = Imago.Formats.IO.FileByteSource.Open(path);
            Assert.Equal(0, (await DiskImages.CheckAsync(source, ImageFormat.Vhd))!.ExitCode);
        }
    }

    /// <summary>Downloads an object into a file under <paramref name="temp"/>.</summary>
    public async Task<string> GetObjectAsync(TempDirectory temp, string bucket, string key)
    {
        var path = Path.Combine(temp.Path, "fetched-" + Guid.NewGuid().ToString("N"));
        await using var content = await Buckets.OpenReadAsync(Region, bucket, key, CancellationToken.None);
        await using var file = File.Create(path);
        await content.CopyToAsync(file);
        return path;
    }

    public async Task<IReadOnlyList<string>> KeysAsync(string bucket) =>
        [.. (await Buckets.ListObjectsAsync(Region, bucket, null, null, 1000, CancellationToken.None)).Objects.Select(o => o.Key)];

    public async ValueTask DisposeAsync()
    {
        await Env.DisposeAsync();
        Exports.Dispose();
    }
}
