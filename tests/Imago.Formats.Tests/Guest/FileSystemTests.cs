using System.Text;
using Imago.Formats.Guest;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Guest;

public sealed class FileSystemTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly GuestDiskBuilder _build;

    public FileSystemTests() => _build = new GuestDiskBuilder(_temp);

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("ext2", FileSystemKind.Ext2, new string[0])]
    [InlineData("ext3", FileSystemKind.Ext3, new string[0])]
    [InlineData("ext4", FileSystemKind.Ext4, new string[0])]
    [InlineData("ext4", FileSystemKind.Ext4, new[] { "-b", "4096", "-O", "64bit,flex_bg,metadata_csum" })]
    [InlineData("ext4", FileSystemKind.Ext4, new[] { "-b", "1024", "-O", "^64bit,^flex_bg" })]
    [InlineData("ext4", FileSystemKind.Ext4, new[] { "-I", "256", "-O", "inline_data" })]
    [InlineData("ext4", FileSystemKind.Ext4, new[] { "-O", "^extent,^64bit" })]
    public async Task Ext_roots_give_their_os_release(string type, FileSystemKind expected, string[] options)
    {
        var disk = _build.Disk(12, "label: dos\nsize=8M, type=83\n", _build.Ext(_build.RootTree(), type, 8, options));

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal(expected, Assert.Single(report.Volumes).FileSystem);
        Assert.Equal(new OsRelease("ubuntu", "22.04", "Ubuntu", "Ubuntu 22.04.3 LTS"), report.OsRelease);
    }

    /// <summary>
    /// 32 groups of 8 inodes and 200 files in /etc (mke2fs -d adds entries in name order), so /usr/lib/os-release's
    /// inode lies in group 26: its descriptor is found through meta_bg's second meta group (after a superblock backup where every group has one).
    /// </summary>
    [Theory]
    [InlineData("meta_bg,^resize_inode,^flex_bg")]
    [InlineData("meta_bg,^sparse_super,^resize_inode,^flex_bg")]
    [InlineData("meta_bg,sparse_super2,^resize_inode,^flex_bg")]
    public async Task Descriptors_of_late_groups_are_found(string features)
    {
        var root = _build.RootTree();
        for (var i = 0; i < 200; i++)
        {
            File.WriteAllText(Path.Combine(root, "etc", $"f{i}"), "x");
        }

        var fs = _build.Ext(root, "ext4", 8, "-b", "1024", "-g", "256", "-I", "128", "-N", "256", "-O", features);

        var report = await GuestDetection.OnFileAsync(fs);

        Assert.Equal("ubuntu", report.OsRelease?.Id);
    }

    /// <summary>
    /// A sparse 60 KiB os-release with data every other block: eight extents need an extent tree with an index level
    /// (an inode holds four), and with 1 KiB blocks ext2 reaches them through the single-indirect block.
    /// </summary>
    [Theory]
    [InlineData("ext4", "4096")]
    [InlineData("ext2", "1024")]
    [InlineData("xfs", "4096")]
    public async Task Fragmented_sparse_files_are_read_through_their_block_maps(string type, string blockSize)
    {
        var root = _build.RootTree(etcLink: null);
        var content = new byte[60 * 1024];
        const int step = 8192;
        "ID=ubuntu\n"u8.CopyTo(content);
        for (var k = 1; k < 8; k++)
        {
            Encoding.ASCII.GetBytes(k == 7 ? "\nVERSION_ID=\"22.04\"\n" : $"\nFILLER_{k}=x\n").CopyTo(content, k * step);
        }

        File.WriteAllBytes(Path.Combine(root, "etc", "os-release"), content);
        var fs = type == "xfs" ? _build.Xfs(root, "-b", $"size={blockSize}") : _build.Ext(root, type, 8, "-b", blockSize);

        var report = await GuestDetection.OnFileAsync(fs);

        Assert.Equal(("ubuntu", "22.04"), (report.OsRelease?.Id, report.OsRelease?.VersionId));
    }

    [Fact]
    public async Task Absolute_symlink_resolves_inside_the_guest()
    {
        var disk = _build.Ext(_build.RootTree(GuestDiskBuilder.CentOsRelease, etcLink: "/usr/lib/os-release"));

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal("centos", report.OsRelease?.Id);
    }

    [Fact]
    public async Task Usr_lib_os_release_is_the_fallback()
    {
        var disk = _build.Ext(_build.RootTree(etcLink: null));

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal("ubuntu", report.OsRelease?.Id);
    }

    [Fact]
    public async Task Long_symlink_target_stored_in_blocks_is_followed()
    {
        var root = _build.RootTree(etcLink: null);
        var deep = Path.Combine(root, "usr", "share", new string('d', 80));
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(deep, "os-release"), GuestDiskBuilder.CentOsRelease);
        File.CreateSymbolicLink(Path.Combine(root, "etc", "os-release"), $"../usr/share/{new string('d', 80)}/os-release");

        var report = await GuestDetection.OnFileAsync(_build.Ext(root));

        Assert.Equal("centos", report.OsRelease?.Id);
    }

    [Fact]
    public async Task Symlink_loop_is_unknown_not_an_error()
    {
        var root = _build.RootTree(etcLink: "os-release-2");
        File.CreateSymbolicLink(Path.Combine(root, "etc", "os-release-2"), "os-release");
        File.Delete(Path.Combine(root, "usr", "lib", "os-release"));

        var report = await GuestDetection.OnFileAsync(_build.Ext(root));

        Assert.Equal(FileSystemKind.Ext4, Assert.Single(report.Volumes).FileSystem);
        Assert.Null(report.OsRelease);
        Assert.Equal("linux", report.OSType); // an ext root without os-release is still Linux
    }

    [Fact]
    public async Task Large_etc_directory_is_searched_in_full()
    {
        var root = _build.RootTree(etcLink: null);
        for (var i = 0; i < 1500; i++)
        {
            File.WriteAllText(Path.Combine(root, "etc", $"config-file-number-{i:D5}.conf"), "x");
        }

        File.WriteAllText(Path.Combine(root, "etc", "os-release"), GuestDiskBuilder.CentOsRelease);

        var report = await GuestDetection.OnFileAsync(_build.Ext(root, "ext4", 12));

        Assert.Equal("centos", report.OsRelease?.Id);
    }

    [Theory]
    [InlineData(12, 2, FileSystemKind.Fat12)]
    [InlineData(16, 8, FileSystemKind.Fat16)]
    [InlineData(32, 40, FileSystemKind.Fat32)]
    public async Task Fat_roots_give_their_os_release(int bits, int sizeMiB, FileSystemKind expected)
    {
        var fat = _build.Fat(bits, sizeMiB, ("/etc/os-release", GuestDiskBuilder.UbuntuOsRelease), ("/etc/hostname", "guest\n"));
        var disk = _build.Disk(sizeMiB + 2, $"label: dos\nsize={sizeMiB}M, type=c\n", fat);

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal(expected, Assert.Single(report.Volumes).FileSystem);
        Assert.Equal("ubuntu", report.OsRelease?.Id);
        Assert.Equal("22.04", report.OsRelease?.VersionId);
    }

    [Fact]
    public async Task Fat_with_a_windows_directory_is_windows()
    {
        var fat = _build.Fat(16, 8, ("/Windows/System32/imago-os-version.txt", "Windows Server 2022"));

        var report = await GuestDetection.OnFileAsync(_build.Disk(10, "label: dos\nsize=8M, type=7\n", fat));

        Assert.Null(report.OsRelease);
        Assert.Equal("windows", report.OSType);
    }

    [Fact]
    public async Task Signatures_name_xfs_btrfs_ntfs_lvm_and_swap()
    {
        var path = _build.Disk(16, "label: gpt\nsize=2M\nsize=2M\nsize=2M\nsize=2M\nsize=2M\n", null, null, null, null, _build.Swap(2));
        var bytes = await File.ReadAllBytesAsync(path);
        const int mib = 1 << 20;
        Encoding.ASCII.GetBytes("XFSB").CopyTo(bytes, 1 * mib);
        Encoding.ASCII.GetBytes("_BHRfS_M").CopyTo(bytes, (3 * mib) + 0x10040);
        Encoding.ASCII.GetBytes("NTFS    ").CopyTo(bytes, (5 * mib) + 3);
        Encoding.ASCII.GetBytes("LABELONE").CopyTo(bytes, (7 * mib) + 512);
        Encoding.ASCII.GetBytes("LVM2 001").CopyTo(bytes, (7 * mib) + 512 + 24);

        var report = await GuestDetection.OnBytesAsync(bytes);

        Assert.Equal([FileSystemKind.Xfs, FileSystemKind.Btrfs, FileSystemKind.Ntfs, FileSystemKind.Lvm2, FileSystemKind.Swap],
            report.Volumes.Select(v => v.FileSystem));
        Assert.Equal("windows", report.OSType);
        Assert.Equal(GuestBootMode.Unknown, report.BootMode);
    }
}
