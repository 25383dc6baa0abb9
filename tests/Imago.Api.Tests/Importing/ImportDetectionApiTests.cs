using Imago.Api.Tests.Infrastructure;
using Imago.Core.Buckets;
using Imago.Formats.Tests.Guest;
using Imago.Formats.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Importing.ImportApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Importing;

/// <summary>DescribeImages shows the import's OS check as DetectionOptions {Status, Items.Item[]}.</summary>
public sealed class ImportDetectionApiTests(ImagoServer server) : IClassFixture<ImagoServer>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_ubuntu_disk_imported_as_centos_shows_the_mismatch_in_DetectionOptions()
    {
        var client = await ClientAsync(server);
        var (bucket, key) = await PutUbuntuDiskAsync();
        var (imageId, _) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key),
            ("Platform", "CentOS"), ("BootMode", "UEFI"));

        var image = await WaitForImageAsync(client, imageId);

        Assert.Equal(("Available", "CentOS"), (Text(image, "Status"), Text(image, "Platform")));
        var detection = image["DetectionOptions"]!;
        Assert.Equal("Finished", Text(detection, "Status"));
        var items = detection["Items"]!["Item"]!.AsArray().Select(i => i!).ToDictionary(i => Text(i, "Name"));
        Assert.Equal(("Ubuntu", "PlatformMismatch", "Medium"), (Text(items["Platform"], "Value"), Text(items["Platform"], "RiskCode"), Text(items["Platform"], "RiskLevel")));
        Assert.Equal(("UEFI", ""), (Text(items["BootMode"], "Value"), Text(items["BootMode"], "RiskCode")));
        Assert.Equal(("GPT", "22.04"), (Text(items["PartitionTable"], "Value"), Text(items["OSVersion"], "Value")));
        Assert.Equal("fat16,ext4", Text(items["FileSystem"], "Value"));
    }

    [Fact]
    public async Task A_default_platform_import_is_named_after_the_detected_os()
    {
        var client = await ClientAsync(server);
        var (bucket, key) = await PutUbuntuDiskAsync();
        var (imageId, _) = await ImportAsync(client, ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", key), ("BootMode", "UEFI"));

        var image = await WaitForImageAsync(client, imageId);

        Assert.Equal(("Ubuntu", "Ubuntu  22.04 64位", "Ubuntu  22.04 64 bit"), (Text(image, "Platform"), Text(image, "OSName"), Text(image, "OSNameEn")));
        Assert.All(image["DetectionOptions"]!["Items"]!["Item"]!.AsArray(), i => Assert.Equal("", Text(i!, "RiskCode")));
    }

    [Fact]
    public async Task Images_no_check_ran_on_have_no_DetectionOptions()
    {
        var client = await ClientAsync(server);

        var body = await client.CallOkAsync("DescribeImages", Params(("RegionId", Region), ("ImageOwnerAlias", "system")));

        var images = body["Images"]!["Image"]!.AsArray();
        Assert.NotEmpty(images);
        Assert.All(images, i => Assert.False(i!.AsObject().ContainsKey("DetectionOptions")));
    }

    /// <summary>A GPT disk with an EFI System Partition and an ext4 Ubuntu 22.04 root (os-release symlinked), in a new bucket.</summary>
    private async Task<(string Bucket, string Key)> PutUbuntuDiskAsync()
    {
        var build = new GuestDiskBuilder(_temp);
        var disk = build.Disk(16, "label: gpt\nsize=4M, type=uefi\nsize=8M, type=linux\n", build.Fat(16, 4), build.Ext(build.RootTree(), "ext4", 8));
        var buckets = server.GetRequiredService<IBucketStore>();
        var bucket = "detect-" + Guid.NewGuid().ToString("N")[..12];
        await buckets.CreateBucketAsync(Region, bucket, CancellationToken.None);
        await using (var file = File.OpenRead(disk))
        {
            await buckets.PutObjectAsync(Region, bucket, "ubuntu.raw", file, null, CancellationToken.None);
        }

        return (bucket, "ubuntu.raw");
    }
}
