using Imago.Core.Buckets;
using Imago.Core.Importing;
using Imago.Core.Importing.Detection;
using Imago.Core.Tests.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Guest;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Importing;

/// <summary>Import runs the OS check on the system disk: findings recorded, mismatches flagged, a generic Platform filled.</summary>
public sealed class ImportDetectionTests : IAsyncLifetime
{
    private const long Alice = 1_000_000_000_000_001;
    private const string Bucket = "imports";

    private readonly TempDirectory _dir = new();
    private readonly DeferredTaskHandler _handler = new(ImportErrors.TaskKind);
    private SnapshotHarness _env = null!;
    private DirectoryBucketStore _buckets = null!;
    private ImageImportService _imports = null!;

    public async Task InitializeAsync()
    {
        _env = await SnapshotHarness.OpenAsync(_dir.Path, true, _handler);
        _buckets = DirectoryBucketStore.Open(_dir.Path);
        _handler.Inner = new ImportImageTaskHandler(_env.Database, _env.Stores, _buckets, TimeProvider.System);
        _imports = new ImageImportService(_env.Database, _buckets, _env.Regions, _env.Runner, TimeProvider.System);
        await _buckets.CreateBucketAsync(SnapshotHarness.Region, Bucket, CancellationToken.None);

        using var work = new TempDirectory();
        var build = new GuestDiskBuilder(work);
        var ubuntu = build.Disk(12, "label: dos\nsize=8M, type=83, bootable\n", build.Ext(build.RootTree(), "ext4", 8));
        await PutAsync("ubuntu.raw", await File.ReadAllBytesAsync(ubuntu));
        await PutAsync("garbage.raw", Enumerable.Repeat((byte)0xab, 1 << 20).ToArray());
    }

    public async Task DisposeAsync()
    {
        await _env.DisposeAsync();
        _imports.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Ubuntu_disk_declared_as_centos_is_flagged_and_keeps_its_declared_platform()
    {
        var image = await ImportAsync("ubuntu.raw", platform: "CentOS");

        Assert.Equal(ImageStatuses.Available, image.Status);
        Assert.Equal(DetectionCodes.Finished, image.DetectionStatus);
        Assert.Equal("CentOS", image.Platform);
        Assert.Equal("", image.OSName); // a contradicted declaration is not renamed
        var items = ImageDetectionResult.ParseItems(image.DetectionItems);
        Assert.Equal(new DetectionItem("Platform", "Ubuntu", "PlatformMismatch", "Medium"), items.Single(i => i.Name == "Platform"));
        Assert.Equal(new DetectionItem("OSVersion", "22.04"), items.Single(i => i.Name == "OSVersion"));
        Assert.Equal(new DetectionItem("PartitionTable", "MBR"), items.Single(i => i.Name == "PartitionTable"));
        Assert.Equal(new DetectionItem("BootMode", "BIOS"), items.Single(i => i.Name == "BootMode"));
        Assert.Equal(new DetectionItem("FileSystem", "ext4"), items.Single(i => i.Name == "FileSystem"));
        Assert.Equal(new DetectionItem("OSType", "linux"), items.Single(i => i.Name == "OSType"));
    }

    [Fact]
    public async Task Default_platform_is_filled_from_the_disk_with_catalog_style_names()
    {
        var image = await ImportAsync("ubuntu.raw", platform: null);

        Assert.Equal("Ubuntu", image.Platform);
        Assert.Equal("Ubuntu  22.04 64位", image.OSName);
        Assert.Equal("Ubuntu  22.04 64 bit", image.OSNameEn);
        Assert.All(ImageDetectionResult.ParseItems(image.DetectionItems), i => Assert.Equal("", i.RiskCode));
    }

    [Fact]
    public async Task Uefi_declaration_on_a_bios_only_disk_is_a_high_risk()
    {
        var image = await ImportAsync("ubuntu.raw", platform: "Ubuntu", bootMode: "UEFI");

        Assert.Equal(new DetectionItem("BootMode", "BIOS", "BootModeMismatch", "High"),
            ImageDetectionResult.ParseItems(image.DetectionItems).Single(i => i.Name == "BootMode"));
        Assert.Equal("Ubuntu  22.04 64位", image.OSName); // the platform agrees, so the OS is named
    }

    [Fact]
    public async Task Windows_declaration_on_a_linux_disk_is_an_os_type_mismatch()
    {
        var image = await ImportAsync("ubuntu.raw", platform: "Windows Server 2022", osType: "windows");

        var items = ImageDetectionResult.ParseItems(image.DetectionItems);
        Assert.Equal(new DetectionItem("OSType", "linux", "OSTypeMismatch", "High"), items.Single(i => i.Name == "OSType"));
        Assert.Equal("PlatformMismatch", items.Single(i => i.Name == "Platform").RiskCode);
        Assert.Equal("Windows Server 2022", image.Platform);
    }

    [Fact]
    public async Task Undetectable_disk_still_imports_and_is_recorded_as_unrecognized()
    {
        var image = await ImportAsync("garbage.raw", platform: null);

        Assert.Equal(ImageStatuses.Available, image.Status);
        Assert.Equal(DetectionCodes.Finished, image.DetectionStatus);
        Assert.Equal("Others Linux", image.Platform);
        var items = ImageDetectionResult.ParseItems(image.DetectionItems);
        Assert.Equal(new DetectionItem("Platform", "", "UnrecognizedOS", "Medium"), items.Single(i => i.Name == "Platform"));
        Assert.Equal(new DetectionItem("PartitionTable", "Unknown"), items.Single(i => i.Name == "PartitionTable"));
    }

    private async Task<ImageEntity> ImportAsync(string key, string? platform, string? bootMode = null, string? osType = null)
    {
        var request = new ImportImageRequest(SnapshotHarness.Region, [new ImportDiskRequest(1, Bucket, key, "RAW", null, null)],
            Platform: platform, BootMode: bootMode, OSType: osType);
        var result = await _imports.ImportAsync(new Caller(Alice), request, CancellationToken.None);
        await _env.WaitForImageAsync(result.ImageId, ImageStatuses.Available);
        return (await _env.FindImageAsync(result.ImageId))!;
    }

    private async Task PutAsync(string key, byte[] bytes)
    {
        using var content = new MemoryStream(bytes);
        await _buckets.PutObjectAsync(SnapshotHarness.Region, Bucket, key, content, null, CancellationToken.None);
    }
}
