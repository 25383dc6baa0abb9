using Imago.Core.Images.DiskBuilding;
using Imago.Core.Images.PublicCatalog;
using Imago.Core.Importing.Detection;
using Imago.Formats.Guest;

namespace Imago.Core.Tests.Images;

/// <summary>The public images' stand-in disks (MBR or GPT + FAT32 with /etc/os-release) are recognised as what the catalog says.</summary>
public sealed class PublicImageDetectionTests
{
    public static TheoryData<string> ImageIds() => [.. PublicImageCatalog.Entries.Select(e => e.ImageId)];

    [Theory]
    [MemberData(nameof(ImageIds))]
    public async Task Marker_disk_is_detected_as_its_catalog_entry(string imageId)
    {
        var definition = PublicImageCatalog.Entries.Single(e => e.ImageId == imageId);
        await using var disk = MarkerDisk.Build(definition);

        var report = await GuestDetector.DetectAsync(disk);

        Assert.Equal(definition.UsesGpt ? PartitionScheme.Gpt : PartitionScheme.Mbr, report.Scheme);
        Assert.Equal(FileSystemKind.Fat32, Assert.Single(report.Volumes).FileSystem);
        Assert.Equal(definition.OSType, report.OSType);
        var result = ImageDetectionRules.Evaluate(report, new DeclaredOs(definition.Platform, definition.OSType, definition.BootMode, definition.Architecture));
        Assert.All(result.Items, i => Assert.True(i.RiskCode == "", $"{i.Name}={i.Value}: {i.RiskCode}"));
        if (definition.OSType == "linux")
        {
            Assert.Equal(definition.Platform, result.Items.Single(i => i.Name == "Platform").Value);
        }
    }

    [Fact]
    public void Names_follow_the_catalog_spelling_per_architecture()
    {
        Assert.Equal(("Ubuntu  22.04 64位 ARM版", "Ubuntu  22.04 64 bit ARM Edition"), GuestPlatforms.DisplayNames("Ubuntu", "22.04", "arm64"));
        Assert.Equal(("Debian  12 32位", "Debian  12 32 bit"), GuestPlatforms.DisplayNames("Debian", "12", "i386"));
    }
}
