using Imago.Formats.Guest;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Guest;

/// <summary>A root file system in an LVM2 logical volume (the CentOS/RHEL installer's default layout).</summary>
public sealed class LvmTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly GuestDiskBuilder _build;

    public LvmTests() => _build = new GuestDiskBuilder(_temp);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Root_in_a_logical_volume_with_reordered_extents_is_read()
    {
        var pv = LvmImage.Build(_build.Ext(_build.RootTree(GuestDiskBuilder.CentOsRelease), "ext4", 8), _temp.File("pv.img"));
        var disk = _build.Disk(12, "label: gpt\nsize=9M, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\n", pv);

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal([(FileSystemKind.Lvm2, "Linux LVM"), (FileSystemKind.Ext4, "LVM2 LV root")],
            report.Volumes.Select(v => (v.FileSystem, v.PartitionType)));
        Assert.Equal(8L << 20, report.Volumes[1].Length);
        Assert.Equal("centos", report.OsRelease?.Id);
    }

    [Fact]
    public async Task Xfs_root_in_a_logical_volume_is_read()
    {
        var xfs = _build.Xfs(_build.RootTree(GuestDiskBuilder.CentOsRelease));
        var disk = _build.Disk(20, "label: dos\nsize=17M, type=8e\n", LvmImage.Build(xfs, _temp.File("pv.img")));

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal(FileSystemKind.Xfs, report.Volumes[1].FileSystem);
        Assert.Equal("centos", report.OsRelease?.Id);
    }
}
