using System.Globalization;
using Imago.Api.Tests.Infrastructure;
using Imago.Core.Buckets;
using Imago.Data;
using Imago.Formats.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Exporting.ExportApi;
using static Imago.Api.Tests.Importing.ImportApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Exporting;

/// <summary>ExportImage over HTTP: images imported from qemu-img files, exported in each format, fetched and compared with the originals.</summary>
public sealed class ExportImageApiTests(ImagoServer server) : IClassFixture<ImagoServer>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("raw", "raw")]
    [InlineData("vhd", "vpc")]
    [InlineData("qcow2", "qcow2")]
    public async Task AnImportedImageExportsOneObjectPerDiskEqualToItsFiles(string format, string qemuFormat)
    {
        var client = await ClientAsync(server);
        var (systemBucket, systemKey) = await PutDiskAsync(server, _temp, "qcow2", 0x5a);
        var (dataBucket, dataKey) = await PutDiskAsync(server, _temp, "vpc", 0xa5, size: 32L << 20, options: "subformat=dynamic");
        var (imageId, _) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", systemBucket), ("DiskDeviceMapping.1.OSSObject", systemKey),
            ("DiskDeviceMapping.2.OSSBucket", dataBucket), ("DiskDeviceMapping.2.OSSObject", dataKey));
        Assert.Equal("Available", Text(await WaitForImageAsync(client, imageId), "Status"));

        var response = await client.CallOkAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", systemBucket),
            ("OSSPrefix", "Backup2024"), ("ImageFormat", format), ("RoleName", "AliyunECSImageExportDefaultRole")));
        Assert.Equal(["RegionId", "RequestId", "TaskId"], response.Select(p => p.Key).Order(StringComparer.Ordinal));
        var taskId = Text(response, "TaskId");
        Assert.StartsWith("t-", taskId, StringComparison.Ordinal);

        var task = await WaitForTaskAsync(client, taskId);
        Assert.Equal(("ExportImage", "Finished", "100%", "true"), (Text(task, "TaskAction"), Text(task, "TaskStatus"), Text(task, "TaskProcess"),
            Text(task, "SupportCancel")));
        var systemObject = $"Backup2024_{imageId}_system.{format}";
        var dataObject = $"Backup2024_{imageId}_data_xvdb.{format}";
        var related = task["OperationProgressSet"]!["OperationProgress"]![0]!["RelatedItemSet"]!["RelatedItem"]!.AsArray()
            .Select(r => (Text(r!, "Name"), Text(r!, "Value"))).ToArray();
        Assert.Equal([("ImageId", imageId), ("OSSBucket", systemBucket), ("OSSObject", systemObject), ("OSSObject", dataObject), ("ImageFormat", format)],
            related);
        var tasks = await client.CallOkAsync("DescribeTasks", Params(("RegionId", Region), ("TaskAction", "ExportImage")));
        var listed = Assert.Single(tasks["TaskSet"]!["Task"]!.AsArray());
        Assert.Equal((taskId, imageId), (Text(listed!, "TaskId"), Text(listed!, "ResourceId")));

        foreach (var (key, original, originalFormat) in new[] { (systemObject, systemKey, "qcow2"), (dataObject, dataKey, "vpc") })
        {
            var fetched = await FetchAsync(server, _temp, systemBucket, key);
            Assert.Equal(qemuFormat == "qcow2" ? 0 : 63, QemuImg.Check(fetched, qemuFormat).ExitCode); // 63: qemu-img checks no raw or VHD
            var source = await FetchAsync(server, _temp, key == systemObject ? systemBucket : dataBucket, original);
            Assert.True(QemuImg.Compare(source, originalFormat, fetched, qemuFormat), $"{key} differs from {original}");
        }
    }

    [Fact]
    public async Task RefusalsAnswerWithTheDocumentedCodesAndLeaveNoTask()
    {
        var client = await ClientAsync(server);
        var (bucket, key) = await PutDiskAsync(server, _temp, "raw", 0x42, size: 4L << 20);
        var (imageId, _) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key));
        await WaitForImageAsync(client, imageId);

        Task<EcsResponse> Export(params (string Key, string Value)[] changes)
        {
            var parameters = Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", bucket));
            foreach (var (name, value) in changes)
            {
                parameters[name] = value;
            }

            return client.CallAsync("ExportImage", parameters);
        }

        (await client.CallAsync("ExportImage", Params(("ImageId", imageId), ("OSSBucket", bucket)))).AssertError("MissingParameter", 400);
        (await client.CallAsync("ExportImage", Params(("RegionId", Region), ("OSSBucket", bucket)))).AssertError("MissingParameter", 400);
        (await client.CallAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId)))).AssertError("MissingParameter", 400);
        (await Export(("OSSPrefix", "no-dashes"))).AssertError("InvalidOSSPrefix.Malformed", 400);
        (await Export(("OSSPrefix", new string('p', 31)))).AssertError("InvalidOSSPrefix.Malformed", 400);
        (await Export(("ImageFormat", "vmdk"))).AssertError("InvalidImageFormat.Malformed", 400);
        (await Export(("ImageFormat", "iso"))).AssertError("InvalidImageFormat.Malformed", 400);
        (await Export(("OSSBucket", "no-such-bucket"))).AssertError("InvalidOSSBucket.NotFound", 400);
        (await Export(("ImageId", "m-doesnotexist0000000"))).AssertError("InvalidImageId.NotFound", 404);
        (await Export(("RegionId", "cn-shanghai"))).AssertError("InvalidImageId.NotFound", 404);
        (await Export(("DryRun", "true"))).AssertError("DryRunOperation", 400);

        // A public image is not the caller's to export; an image derived from a marketplace image is refused as documented.
        (await Export(("ImageId", await AddImageAsync(server, 0x01)))).AssertError("InvalidImageId.NotFound", 404);
        await SetAsync(imageId, productCode: "jxsc000204");
        (await Export()).AssertError("ImageNotSupported", 403);
        await SetAsync(imageId, productCode: "", status: "Deprecated");
        (await Export()).AssertError("IncorrectImageStatus", 400);

        var tasks = await client.CallOkAsync("DescribeTasks", Params(("RegionId", Region), ("TaskAction", "ExportImage")));
        Assert.Equal(0, tasks["TotalCount"]!.GetValue<int>());
        var objects = (await server.GetRequiredService<IBucketStore>().ListObjectsAsync(Region, bucket, null, null, 1000, CancellationToken.None)).Objects;
        Assert.Equal([key], objects.Select(o => o.Key));
    }

    [Fact]
    public async Task AnotherAccountCannotExportAnImageEvenWhenItIsSharedWithIt()
    {
        var (owner, _) = await server.CreateClientAsync();
        var (other, otherAccount) = await server.CreateClientAsync();
        var (bucket, key) = await PutDiskAsync(server, _temp, "raw", 0x43, size: 4L << 20);
        var (imageId, _) = await ImportAsync(owner, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key));
        await WaitForImageAsync(owner, imageId);

        (await other.CallAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", bucket))))
            .AssertError("InvalidImageId.NotFound", 404);
        await owner.CallOkAsync("ModifyImageSharePermission", Params(("RegionId", Region), ("ImageId", imageId),
            ("AddAccount.1", otherAccount.AccountId.ToString(CultureInfo.InvariantCulture))));
        (await other.CallAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", bucket))))
            .AssertError("InvalidImageId.NotFound", 404);
        var tasks = await owner.CallOkAsync("DescribeTasks", Params(("RegionId", Region), ("TaskAction", "ExportImage")));
        Assert.Equal(0, tasks["TotalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task AnAccountExportsOnlyIntoItsOwnOrTheOperatorsBuckets()
    {
        var (owner, ownerAccount) = await server.CreateClientAsync();
        var (other, otherAccount) = await server.CreateClientAsync();
        var buckets = server.GetRequiredService<IBucketStore>();
        var (bucket, key) = await PutDiskAsync(server, _temp, "raw", 0x45, size: 4L << 20);
        var (imageId, _) = await ImportAsync(other, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key));
        await WaitForImageAsync(other, imageId);
        var ownersBucket = "owned-" + Guid.NewGuid().ToString("N")[..12];
        await buckets.CreateBucketAsync(Region, ownersBucket, ownerAccount.AccountId, CancellationToken.None);
        var othersBucket = "owned-" + Guid.NewGuid().ToString("N")[..12];
        await buckets.CreateBucketAsync(Region, othersBucket, otherAccount.AccountId, CancellationToken.None);

        // Another account's bucket answers exactly like a missing one, and nothing is written into it.
        (await other.CallAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", ownersBucket))))
            .AssertError("InvalidOSSBucket.NotFound", 400);
        Assert.Empty((await buckets.ListObjectsAsync(Region, ownersBucket, null, null, 1000, CancellationToken.None)).Objects);
        (await owner.CallAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", othersBucket))))
            .AssertError("InvalidImageId.NotFound", 404);

        // Its own bucket and the operator's (no owner) take the export.
        foreach (var target in new[] { othersBucket, bucket })
        {
            var taskId = Text(await other.CallOkAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", target))), "TaskId");
            Assert.Equal("Finished", Text(await WaitForTaskAsync(other, taskId), "TaskStatus"));
            await buckets.StatObjectAsync(Region, target, $"{imageId}_system.raw", CancellationToken.None);
        }
    }

    [Fact]
    public async Task AnImageBeingExportedCannotBeDeletedUntilTheExportEnds()
    {
        var client = await ClientAsync(server);
        var (bucket, key) = await PutDiskAsync(server, _temp, "raw", 0x44, size: 4L << 20);
        var (imageId, _) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key));
        await WaitForImageAsync(client, imageId);

        // A task row in Processing is what DeleteImage consults (Core's cancellation test holds a real export mid-way).
        var taskId = Text(await client.CallOkAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", bucket))), "TaskId");
        await WaitForTaskAsync(client, taskId);
        await SetTaskStatusAsync(taskId, "Processing");

        var deleting = await client.CallAsync("DeleteImage", Params(("RegionId", Region), ("ImageId", imageId)));
        deleting.AssertError("ImageIsExporting", 403);
        Assert.Contains("Please cancel task first.", deleting.Body, StringComparison.Ordinal);
        (await client.CallAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", bucket))))
            .AssertError("ImageIsExporting", 403);

        await SetTaskStatusAsync(taskId, "Finished");

        await client.CallOkAsync("DeleteImage", Params(("RegionId", Region), ("ImageId", imageId)));
    }

    private async Task SetTaskStatusAsync(string taskId, string status)
    {
        await using var db = server.GetRequiredService<ImagoDatabase>().CreateContext();
        await db.Tasks.Where(t => t.Id == taskId).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, status));
    }

    private async Task SetAsync(string imageId, string productCode, string status = "Available")
    {
        await using var db = server.GetRequiredService<ImagoDatabase>().CreateContext();
        await db.Images.Where(i => i.Id == imageId).ExecuteUpdateAsync(s => s.SetProperty(i => i.ProductCode, productCode).SetProperty(i => i.Status, status));
    }
}
