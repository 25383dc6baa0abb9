using System.Text;
using Imago.Core.Images.DiskBuilding;
using Imago.Core.Images.PublicCatalog;
using Imago.Formats;
using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Metadata;

namespace Imago.Core.Tests.Images;

/// <summary>
/// The seeded disk of every public image, exported from the block store and checked with Debian's own tools:
/// qemu-img (virtual size), sfdisk (partition table, GPT CRCs), fsck.fat (the filesystem) and mtools (the marker file).
/// </summary>
public sealed class MarkerDiskTests(SeededRegionFixture seeded) : IClassFixture<SeededRegionFixture>
{
    private const long GiB = 1024L * 1024 * 1024;
    private const long PartitionOffset = 2048 * 512;

    public static TheoryData<string> ImageIds => [.. PublicImageCatalog.Entries.Select(e => e.ImageId)];

    [Theory]
    [MemberData(nameof(ImageIds))]
    public async Task SeededDiskIsARealPartitionedFat32DiskHoldingTheMarker(string imageId)
    {
        var definition = PublicImageCatalog.Find(imageId)!;
        var snapshotId = await seeded.SystemSnapshotAsync(imageId);
        using var scratch = new TempDirectory();
        var disk = scratch.File("disk.raw");
        await seeded.Environment.Stores[SeededRegionFixture.Region].ExportAsync(snapshotId, disk, ImageFormat.Raw);

        using (var info = QemuImg.Info(disk, "raw"))
        {
            Assert.Equal(definition.SizeGiB * GiB, info.RootElement.GetProperty("virtual-size").GetInt64());
        }

        var dump = DiskTools.Run("sfdisk", "-d", disk);
        Assert.True(dump.ExitCode == 0, dump.StdErr);
        Assert.DoesNotContain("corrupt", dump.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("mismatch", dump.StdErr, StringComparison.OrdinalIgnoreCase);
        var partitionLine = dump.StdOut.Split('\n').Single(l => l.StartsWith(disk + "1", StringComparison.Ordinal));
        Assert.Contains("start=        2048", partitionLine, StringComparison.Ordinal);
        if (definition.UsesGpt)
        {
            Assert.Contains("label: gpt", dump.StdOut, StringComparison.Ordinal);
            Assert.Contains("type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", partitionLine, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("label: dos", dump.StdOut, StringComparison.Ordinal);
            Assert.Contains("type=c", partitionLine, StringComparison.Ordinal);
            Assert.Contains("bootable", partitionLine, StringComparison.Ordinal);
        }

        var verify = DiskTools.Run("sfdisk", "--verify", disk);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);

        var sectors = long.Parse(partitionLine.Split("size=")[1].Split(',')[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var partition = scratch.File("partition.raw");
        DiskTools.ExtractPartition(disk, PartitionOffset, sectors * 512, partition);
        var fsck = DiskTools.Run("fsck.fat", "-n", partition);
        Assert.True(fsck.ExitCode == 0, fsck.StdOut + fsck.StdErr);
        Assert.DoesNotContain("differ", fsck.StdOut, StringComparison.OrdinalIgnoreCase);

        var marker = DiskTools.Run("mtype", "-i", $"{disk}@@{PartitionOffset}", "::/" + definition.MarkerPath);
        Assert.True(marker.ExitCode == 0, marker.StdErr);
        Assert.Equal(definition.MarkerText, marker.StdOut);
    }

    [Fact]
    public async Task LinuxDisksHoldTheDistributionsOsReleaseAndWindowsDisksTheMarkerFile()
    {
        var ubuntu = PublicImageCatalog.Entries.First(e => e.Platform == "Ubuntu" && e.Architecture == "x86_64");
        Assert.Equal("etc/os-release", ubuntu.MarkerPath);
        Assert.Contains("ID=ubuntu", ubuntu.MarkerText, StringComparison.Ordinal);

        var windows = PublicImageCatalog.Entries.First(e => e.OSType == "windows");
        var snapshotId = await seeded.SystemSnapshotAsync(windows.ImageId);
        using var scratch = new TempDirectory();
        var disk = scratch.File("windows.raw");
        await seeded.Environment.Stores[SeededRegionFixture.Region].ExportAsync(snapshotId, disk, ImageFormat.Raw);
        var listing = DiskTools.Run("mdir", "-b", "-i", $"{disk}@@{PartitionOffset}", "::/Windows/System32");
        Assert.True(listing.ExitCode == 0, listing.StdErr);
        Assert.Contains("imago-os-version.txt", listing.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyTheFewNonZeroChunksAreStored()
    {
        var store = seeded.Environment.Stores[SeededRegionFixture.Region];
        foreach (var definition in PublicImageCatalog.Entries)
        {
            var info = await store.GetInfoAsync(VersionKind.Snapshot, await seeded.SystemSnapshotAsync(definition.ImageId));
            Assert.Equal(definition.SizeGiB * GiB, info.Size);
            // MBR/GPT, boot sectors, two FAT heads, a few directory/file clusters, the backup GPT: a handful of chunks.
            Assert.InRange(info.AllocatedChunks, 1, 12);
        }
    }

    [Fact]
    public async Task TheSameEntryAlwaysGivesTheSameBytes()
    {
        var definition = PublicImageCatalog.Entries[0];
        await using var first = MarkerDisk.Build(definition);
        await using var second = MarkerDisk.Build(definition);
        var a = new byte[4 * 1024 * 1024];
        var b = new byte[4 * 1024 * 1024];
        await first.ReadAsync(0, a);
        await second.ReadAsync(0, b);
        Assert.Equal(a, b);
        Assert.NotEqual(0, a.Count(x => x != 0));
        Assert.Equal(Encoding.ASCII.GetBytes("FAT32   "), a.AsSpan((int)PartitionOffset + 82, 8).ToArray());
    }
}
