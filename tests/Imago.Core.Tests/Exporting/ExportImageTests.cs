using Imago.Core.Buckets;
using Imago.Core.Errors;
using Imago.Core.Exporting;
using Imago.Core.Tests.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Exporting;

/// <summary>ExportImage in Core: each format's objects pass qemu-img check and equal the image's disks; every refusal.</summary>
public sealed class ExportImageTests : IAsyncLifetime
{
    private const long Alice = 1_000_000_000_000_101;
    private const long Bob = 1_000_000_000_000_102;
    private const string Bucket = "exports";

    private readonly TempDirectory _dir = new();
    private readonly TempDirectory _files = new();
    private ExportHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await ExportHarness.OpenAsync(_dir.Path);
        await _h.Buckets.CreateBucketAsync(ExportHarness.Region, Bucket, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        _dir.Dispose();
        _files.Dispose();
    }

    [Theory]
    [InlineData("raw", "raw")]
    [InlineData("vhd", "vpc")]
    [InlineData("qcow2", "qcow2")]
    public async Task EachDiskBecomesOneObjectThatPassesCheckAndEqualsTheDisk(string format, string qemuFormat)
    {
        var system = ExportHarness.MakeDisk(_files, "qcow2", 0x5a);
        var data = ExportHarness.MakeDisk(_files, "raw", 0xc3, size: 16L << 20);
        var image = await _h.AddImageAsync(Alice, [(system, "qcow2"), (data, "raw")]);

        var taskId = await _h.Exports.ExportAsync(new Caller(Alice),
            new ExportImageRequest(ExportHarness.Region, image.Id, Bucket, "nightly", format.ToUpperInvariant()), CancellationToken.None);
        await SnapshotHarness.WaitUntilAsync(async () => (await _h.Env.FindTaskAsync(taskId))!.Status == TaskStatuses.Finished, "export finished");

        var systemKey = $"nightly_{image.Id}_system.{format}";
        var dataKey = $"nightly_{image.Id}_data_xvdb.{format}";
        Assert.Equal([dataKey, systemKey], (await _h.KeysAsync(Bucket)).Order(StringComparer.Ordinal));
        foreach (var (key, original, originalFormat) in new[] { (systemKey, system, "qcow2"), (dataKey, data, "raw") })
        {
            var fetched = await _h.GetObjectAsync(_files, Bucket, key);
            await ExportHarness.AssertSoundAsync(fetched, qemuFormat);
            Assert.Equal(QemuImg.Info(original, originalFormat).RootElement.GetProperty("virtual-size").GetInt64(),
                QemuImg.Info(fetched, qemuFormat).RootElement.GetProperty("virtual-size").GetInt64());
            Assert.True(QemuImg.Compare(original, originalFormat, fetched, qemuFormat), $"{key} differs from {original}");
        }

        var task = (await _h.Env.FindTaskAsync(taskId))!;
        Assert.Equal((100, image.Id, "ExportImage"), (task.Progress, task.ResourceId, task.Action));
        var related = _h.Env.Runner.FindHandler("ExportImage")!.RelatedItems(task.ResourceId, task.Payload);
        Assert.Equal([new("ImageId", image.Id), new("OSSBucket", Bucket), new("OSSObject", systemKey), new("OSSObject", dataKey), new("ImageFormat", format)],
            related);
        Assert.False(_h.Staging.Holds(taskId));
    }

    [Fact]
    public async Task ARawExportOfSeveralPartsHasTheMultipartETagOfItsBytes()
    {
        // 200 MiB, data only at 1 MiB and in the last 64 KiB: the put skips the snapshot's unstored chunks, hashes
        // its parts at once, and the ETag is OSS's multipart one of exactly the bytes exported.
        var disk = ExportHarness.MakeDisk(_files, "qcow2", 0x7e, size: 200L << 20);
        var image = await _h.AddImageAsync(Alice, [(disk, "qcow2")]);

        var taskId = await _h.Exports.ExportAsync(new Caller(Alice),
            new ExportImageRequest(ExportHarness.Region, image.Id, Bucket, null, "raw"), CancellationToken.None);
        await SnapshotHarness.WaitUntilAsync(async () => (await _h.Env.FindTaskAsync(taskId))!.Status == TaskStatuses.Finished, "export finished");

        var key = $"{image.Id}_system.raw";
        var fetched = await _h.GetObjectAsync(_files, Bucket, key);
        Assert.True(QemuImg.Compare(disk, "qcow2", fetched, "raw"), $"{key} differs from {disk}");
        var info = await _h.Buckets.StatObjectAsync(ExportHarness.Region, Bucket, key, CancellationToken.None);
        Assert.Equal(Buckets.PartedPutTests.MultipartETag(await File.ReadAllBytesAsync(fetched), ObjectParts.MinPartSize), info.ETag);
        Assert.EndsWith($"-{(200L << 20) / ObjectParts.MinPartSize}", info.ETag, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAPrefixTheObjectIsNamedAfterTheImageAndRawIsTheDefault()
    {
        var image = await _h.AddImageAsync(Alice, [(ExportHarness.MakeDisk(_files, "raw", 0x11), "raw")]);
        var taskId = await _h.Exports.ExportAsync(new Caller(Alice), new ExportImageRequest(ExportHarness.Region, image.Id, Bucket), CancellationToken.None);
        await SnapshotHarness.WaitUntilAsync(async () => (await _h.Env.FindTaskAsync(taskId))!.Status == TaskStatuses.Finished, "export finished");
        Assert.Contains($"{image.Id}_system.raw", await _h.KeysAsync(Bucket));
    }

    [Fact]
    public async Task EveryRefusalHasItsDocumentedCode()
    {
        var alice = new Caller(Alice);
        var disk = ExportHarness.MakeDisk(_files, "raw", 0x22, size: 2L << 20);
        var image = await _h.AddImageAsync(Alice, [(disk, "raw")]);
        var marketplace = await _h.AddImageAsync(Alice, [(disk, "raw")], productCode: "jxsc000123");
        var creating = await _h.AddImageAsync(Alice, [(disk, "raw")], status: ImageStatuses.Creating);
        var deprecated = await _h.AddImageAsync(Alice, [(disk, "raw")], status: ImageStatuses.Deprecated);
        var tooManyDisks = await _h.AddImageAsync(Alice, [.. Enumerable.Repeat((disk, "raw"), 6)]);
        var bobs = await _h.AddImageAsync(Bob, [(disk, "raw")]);
        var publicImage = await _h.Env.AddPublicImageAsync("ubuntu_22_04_x64_20G_alibase_20240101.vhd");
        await _h.Buckets.CreateBucketAsync(ExportHarness.Region, "bobs-bucket", Bob, CancellationToken.None);

        async Task Refused(string code, int status, ExportImageRequest request)
        {
            var error = await Assert.ThrowsAsync<EcsException>(() => _h.Exports.ExportAsync(alice, request, CancellationToken.None));
            Assert.Equal((code, status), (error.Code, error.HttpStatus));
        }

        ExportImageRequest Request(string imageId) => new(ExportHarness.Region, imageId, Bucket);
        await Refused("InvalidImageId.NotFound", 404, Request("m-doesnotexist"));
        await Refused("InvalidImageId.NotFound", 404, Request(bobs.Id));
        await Refused("InvalidImageId.NotFound", 404, Request(publicImage.Id));
        await Refused("InvalidImageId.NotFound", 404, Request(image.Id) with { RegionId = "cn-shanghai" });
        await Refused("ImageNotSupported", 403, Request(marketplace.Id));
        await Refused("IncorrectImageStatus", 400, Request(creating.Id));
        await Refused("IncorrectImageStatus", 400, Request(deprecated.Id));
        await Refused("InvalidImage.DiskAmountOrSize", 400, Request(tooManyDisks.Id));
        await Refused("InvalidOSSPrefix.Malformed", 400, Request(image.Id) with { OssPrefix = "has_underscore" });
        await Refused("InvalidOSSPrefix.Malformed", 400, Request(image.Id) with { OssPrefix = new string('a', 31) });
        await Refused("InvalidOSSPrefix.Malformed", 400, Request(image.Id) with { OssPrefix = "../up" });
        await Refused("InvalidImageFormat.Malformed", 400, Request(image.Id) with { ImageFormat = "vmdk" });
        await Refused("InvalidImageFormat.Malformed", 400, Request(image.Id) with { ImageFormat = "vdi" });
        await Refused("InvalidOSSBucket.NotFound", 400, Request(image.Id) with { OssBucket = "no-such-bucket" });
        await Refused("InvalidOSSBucket.NotFound", 400, Request(image.Id) with { OssBucket = "../exports" });
        await Refused("InvalidOSSBucket.NotFound", 400, Request(image.Id) with { OssBucket = "bobs-bucket" });
        await Refused("InvalidRegionId.NotFound", 404, Request(image.Id) with { RegionId = "xx-nowhere-1" });
        await Refused("DryRunOperation", 400, Request(image.Id) with { DryRun = true, OssPrefix = new string('a', 30), ImageFormat = "Qcow2" });

        // Nothing was written and no task was left by any refusal.
        Assert.Empty(await _h.KeysAsync(Bucket));
        var tasks = await _h.Env.Tasks.ListAsync(alice, ExportHarness.Region, new Core.Tasks.TaskQuery(PageSize: 100), CancellationToken.None);
        Assert.Equal(0, tasks.TotalCount);
    }
}
