using Imago.Api.Tests.Infrastructure;
using Imago.Formats.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Importing.ImportApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Importing;

/// <summary>ImportImage over HTTP: files made by qemu-img, put in a bucket, imported, booted and read back over NBD.</summary>
public sealed class ImportImageApiTests(ImagoServer server) : IClassFixture<ImagoServer>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("raw", "RAW")]
    [InlineData("qcow2", "qcow2")]
    [InlineData("vpc", "VHD")]
    [InlineData("qcow2", "")]
    public async Task AnImportedDiskBootsWithItsBytes(string qemuFormat, string declared)
    {
        var client = await ClientAsync(server);
        var (bucket, key) = await PutDiskAsync(server, _temp, qemuFormat, 0xab, options: qemuFormat == "vpc" ? "subformat=dynamic" : null);
        var (imageId, taskId) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key),
            ("DiskDeviceMapping.1.Format", declared), ("ImageName", "imported-" + qemuFormat), ("Platform", "Ubuntu"));

        var image = await WaitForImageAsync(client, imageId);
        Assert.Equal(("Available", "100%", 1, "Ubuntu", "linux", "x86_64", "BIOS"), (Text(image, "Status"), Text(image, "Progress"),
            image["Size"]!.GetValue<int>(), Text(image, "Platform"), Text(image, "OSType"), Text(image, "Architecture"), Text(image, "BootMode")));
        var task = await WaitForTaskAsync(client, taskId);
        Assert.Equal(("ImportImage", "Finished", "100%"), (Text(task, "TaskAction"), Text(task, "TaskStatus"), Text(task, "TaskProcess")));
        var tasks = await client.CallOkAsync("DescribeTasks", Params(("RegionId", Region), ("TaskAction", "ImportImage")));
        Assert.Contains(tasks["TaskSet"]!["Task"]!.AsArray(), t => Text(t!, "TaskId") == taskId);

        var instanceId = await RunInstanceAsync(client, imageId);
        var disks = await DisksAsync(client, instanceId);
        Assert.Single(disks);
        await QemuIoAsync(Text(disks[0], "NbdUrl"), "read -P 0xab 1M 64k", "read -P 0 0 1M", "read -P 0 2M 1M");
    }

    [Fact]
    public async Task ADataDiskMappingBecomesASecondDisk()
    {
        var client = await ClientAsync(server);
        var (systemBucket, systemKey) = await PutDiskAsync(server, _temp, "raw", 0x11);
        var (dataBucket, dataKey) = await PutDiskAsync(server, _temp, "qcow2", 0x22, size: 3L << 30);
        var (imageId, _) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", systemBucket), ("DiskDeviceMapping.1.OSSObject", systemKey),
            ("DiskDeviceMapping.2.OSSBucket", dataBucket), ("DiskDeviceMapping.2.OSSObject", dataKey), ("DiskDeviceMapping.2.DiskImageSize", "5"));

        var image = await WaitForImageAsync(client, imageId);
        Assert.Equal("Available", Text(image, "Status"));
        var mappings = image["DiskDeviceMappings"]!["DiskDeviceMapping"]!.AsArray().Select(m => m!).ToArray();
        Assert.Equal([("system", "/dev/xvda"), ("data", "/dev/xvdb")], mappings.Select(m => (Text(m, "Type"), Text(m, "Device"))).ToArray());

        var disks = await DisksAsync(client, await RunInstanceAsync(client, imageId));
        Assert.Equal(2, disks.Length);
        await QemuIoAsync(Text(disks[0], "NbdUrl"), "read -P 0x11 1M 64k");
        await QemuIoAsync(Text(disks[1], "NbdUrl"), "read -P 0x22 1M 64k", "read -P 0 0 1M");
    }

    [Fact]
    public async Task AVmdkObjectFailsWithTheAdviceToConvertAndLeavesNothing()
    {
        var client = await ClientAsync(server);
        var (bucket, key) = await PutDiskAsync(server, _temp, "vmdk", 0);
        var (imageId, taskId) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key));

        var task = await WaitForTaskAsync(client, taskId);
        Assert.Equal(("Failed", "InvalidImageFormat.Malformed"), (Text(task, "TaskStatus"), ErrorCode(task)));
        Assert.Contains("convert the image to raw, qcow2 or VHD", ErrorMessage(task), StringComparison.Ordinal);
        Assert.Equal("CreateFailed", Text(await WaitForImageAsync(client, imageId), "Status"));
        Assert.True(await NothingLeftAsync(server, taskId));
    }

    [Fact]
    public async Task ADeclaredFormatThatDiffersFromTheContentFails()
    {
        var client = await ClientAsync(server);
        var (bucket, key) = await PutDiskAsync(server, _temp, "raw", 0x33);
        var (imageId, taskId) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key),
            ("DiskDeviceMapping.1.Format", "QCOW2"));

        var task = await WaitForTaskAsync(client, taskId);
        Assert.Equal(("Failed", "InvalidImageFormat.Malformed"), (Text(task, "TaskStatus"), ErrorCode(task)));
        Assert.Equal("CreateFailed", Text(await WaitForImageAsync(client, imageId), "Status"));
        Assert.True(await NothingLeftAsync(server, taskId));
    }

    [Fact]
    public async Task ADiskImageSizeBelowTheVirtualSizeFailsTheTask()
    {
        var client = await ClientAsync(server);
        var (bucket, key) = await PutDiskAsync(server, _temp, "qcow2", 0x44, size: 3L << 30);
        var (imageId, taskId) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key),
            ("DiskDeviceMapping.1.DiskImageSize", "2"));

        var task = await WaitForTaskAsync(client, taskId);
        Assert.Equal(("Failed", "InvalidImageSize"), (Text(task, "TaskStatus"), ErrorCode(task)));
        Assert.Equal("CreateFailed", Text(await WaitForImageAsync(client, imageId), "Status"));
        Assert.True(await NothingLeftAsync(server, taskId));
    }

    [Fact]
    public async Task AQcow2WithABackingFileIsRefusedAsHostile()
    {
        var client = await ClientAsync(server);
        var backing = Path.Combine(_temp.Path, "base.qcow2");
        QemuImg.Create(backing, "qcow2", 64L << 20);
        var (bucket, key) = await PutDiskAsync(server, _temp, "qcow2", 0x66, options: $"backing_file={backing},backing_fmt=qcow2");
        var (imageId, taskId) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key));

        var task = await WaitForTaskAsync(client, taskId);
        Assert.Equal(("Failed", "ImportImageFailed"), (Text(task, "TaskStatus"), ErrorCode(task)));
        Assert.Contains("unsafe", ErrorMessage(task), StringComparison.Ordinal);
        Assert.Equal("CreateFailed", Text(await WaitForImageAsync(client, imageId), "Status"));
        Assert.True(await NothingLeftAsync(server, taskId));
    }

    [Fact]
    public async Task AClientTokenRepeatsTheFirstAnswerAndArm64DefaultsToUefi()
    {
        var client = await ClientAsync(server);
        var (bucket, key) = await PutDiskAsync(server, _temp, "raw", 0x77);
        (string, string)[] parameters = [("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key), ("ClientToken", "import-once"),
            ("Architecture", "arm64")];
        var first = await ImportAsync(client, parameters);
        Assert.Equal(first, await ImportAsync(client, parameters));
        var image = await WaitForImageAsync(client, first.ImageId);
        Assert.Equal(("Available", "arm64", "UEFI"), (Text(image, "Status"), Text(image, "Architecture"), Text(image, "BootMode")));
        var images = await client.CallOkAsync("DescribeImages", Params(("RegionId", Region), ("ImageOwnerAlias", "self")));
        Assert.Equal(1, images["TotalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task BadParametersAreRefusedAtOnce()
    {
        var client = await ClientAsync(server);
        var (bucket, key) = await PutDiskAsync(server, _temp, "raw", 0x55);
        (await client.CallAsync("ImportImage", Params(("RegionId", Region), ("DiskDeviceMapping.1.OSSObject", key))))
            .AssertError("MissingParameter", 400);
        (await client.CallAsync("ImportImage", Params(("RegionId", Region), ("DiskDeviceMapping.1.OSSBucket", bucket))))
            .AssertError("MissingParameter", 400);
        (await client.CallAsync("ImportImage", Params(("RegionId", Region), ("DiskDeviceMapping.1.OSSBucket", "no-such-bucket"),
            ("DiskDeviceMapping.1.OSSObject", key)))).AssertError("InvalidOSSBucket.NotFound", 400);
        (await client.CallAsync("ImportImage", Params(("RegionId", Region), ("DiskDeviceMapping.1.OSSBucket", bucket),
            ("DiskDeviceMapping.1.OSSObject", "no/such/object")))).AssertError("InvalidOSSObject.NotFound", 400);
        (await client.CallAsync("ImportImage", Params(("RegionId", "cn-shanghai"), ("DiskDeviceMapping.1.OSSBucket", bucket),
            ("DiskDeviceMapping.1.OSSObject", key)))).AssertError("InvalidOSSBucket.NotFound", 400);
        (await client.CallAsync("ImportImage", Params(("RegionId", Region), ("DiskDeviceMapping.1.OSSBucket", bucket),
            ("DiskDeviceMapping.1.OSSObject", key), ("DiskDeviceMapping.1.Format", "VMDK")))).AssertError("InvalidImageFormat.Malformed", 400);
        (await client.CallAsync("ImportImage", Params(("RegionId", Region), ("DiskDeviceMapping.1.OSSBucket", bucket),
            ("DiskDeviceMapping.1.OSSObject", key), ("OSType", "plan9")))).AssertError("InvalidOSType.Malformed", 400);
        (await client.CallAsync("ImportImage", Params(("RegionId", Region), ("DiskDeviceMapping.1.OSSBucket", bucket),
            ("DiskDeviceMapping.1.OSSObject", key), ("DryRun", "true")))).AssertError("DryRunOperation", 400);
        (await client.CallAsync("ImportImage", Params(("RegionId", Region), ("DiskDeviceMapping.1.OSSBucket", bucket),
            ("DiskDeviceMapping.1.OSSObject", key), ("Architecture", "arm64"), ("BootMode", "BIOS")))).AssertError("InvalidParameter", 400);
        var images = await client.CallOkAsync("DescribeImages", Params(("RegionId", Region), ("ImageOwnerAlias", "self")));
        Assert.Equal(0, images["TotalCount"]!.GetValue<int>());
    }
}
