using Imago.Formats.Guest;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Guest;

/// <summary>XFS roots (CentOS/RHEL's default) made by mkfs.xfs from a prototype file: v5 (CRC) and v4 layouts.</summary>
public sealed class XfsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly GuestDiskBuilder _build;

    public XfsTests() => _build = new GuestDiskBuilder(_temp);

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("crc=1")]
    [InlineData("crc=0")]
    public async Task Xfs_root_gives_its_os_release_through_the_symlink(string metadata)
    {
        var disk = _build.Xfs(_build.RootTree(GuestDiskBuilder.CentOsRelease), "-m", metadata);

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal(FileSystemKind.Xfs, Assert.Single(report.Volumes).FileSystem);
        Assert.Equal(new OsRelease("centos", "7", "CentOS Linux", "CentOS Linux 7 (Core)"), report.OsRelease);
    }

    [Fact]
    public async Task Xfs_partition_on_a_gpt_disk_is_read()
    {
        var disk = _build.Disk(20, "label: gpt\nsize=16M, type=linux\n", _build.Xfs(_build.RootTree(GuestDiskBuilder.CentOsRelease)));

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal((PartitionScheme.Gpt, "centos"), (report.Scheme, report.OsRelease?.Id));
    }

    [Theory]
    [InlineData("crc=1", 40)]
    [InlineData("crc=1", 400)]
    [InlineData("crc=0", 400)]
    public async Task Block_and_leaf_directories_are_searched(string metadata, int files)
    {
        var root = _build.RootTree(etcLink: null);
        for (var i = 0; i < files; i++)
        {
            File.WriteAllText(Path.Combine(root, "etc", $"config-file-number-{i:D5}.conf"), "x");
        }

        File.WriteAllText(Path.Combine(root, "etc", "os-release"), GuestDiskBuilder.CentOsRelease);

        var report = await GuestDetection.OnFileAsync(_build.Xfs(root, "-m", metadata));

        Assert.Equal("centos", report.OsRelease?.Id);
    }
}
