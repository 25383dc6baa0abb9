using Imago.Formats.Guest;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Guest;

public sealed class PartitionTableTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly GuestDiskBuilder _build;

    public PartitionTableTests() => _build = new GuestDiskBuilder(_temp);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Gpt_with_esp_bios_boot_and_ext4_root_is_a_hybrid_ubuntu_disk()
    {
        var esp = _build.Fat(16, 4);
        var root = _build.Ext(_build.RootTree());
        var disk = _build.Disk(16, "label: gpt\nsize=1M, type=21686148-6449-6E6F-744E-656564454649\nsize=4M, type=uefi\nsize=6M, type=linux\n", null, esp, root);

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal(PartitionScheme.Gpt, report.Scheme);
        Assert.Equal(GuestBootMode.Both, report.BootMode);
        Assert.Equal([FileSystemKind.Unknown, FileSystemKind.Fat16, FileSystemKind.Ext4], report.Volumes.Select(v => v.FileSystem));
        Assert.Equal(["BIOS boot", "EFI System", "Linux filesystem"], report.Volumes.Select(v => v.PartitionType));
        Assert.Equal([1, 2, 3], report.Volumes.Select(v => v.Number ?? 0));
        Assert.Equal(new OsRelease("ubuntu", "22.04", "Ubuntu", "Ubuntu 22.04.3 LTS"), report.OsRelease);
        Assert.Equal("linux", report.OSType);
    }

    [Fact]
    public async Task Gpt_with_only_an_esp_boots_uefi()
    {
        var disk = _build.Disk(16, "label: gpt\nsize=4M, type=uefi\nsize=6M, type=linux\n", _build.Fat(16, 4), _build.Ext(_build.RootTree()));

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal(GuestBootMode.Uefi, report.BootMode);
        Assert.Equal("ubuntu", report.OsRelease?.Id);
    }

    [Fact]
    public async Task Backup_gpt_is_used_when_the_primary_header_is_corrupt()
    {
        var path = _build.Disk(16, "label: gpt\nsize=6M, type=linux\n", _build.Ext(_build.RootTree()));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[512 + 40] ^= 0xFF; // first usable LBA: the header CRC no longer matches

        var report = await GuestDetection.OnBytesAsync(bytes);

        Assert.Equal(PartitionScheme.Gpt, report.Scheme);
        Assert.Equal("ubuntu", report.OsRelease?.Id);
    }

    [Fact]
    public async Task Gpt_entry_array_with_a_bad_crc_on_both_copies_is_not_trusted()
    {
        var path = _build.Disk(16, "label: gpt\nsize=6M, type=linux\n", _build.Ext(_build.RootTree()));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[1024 + 33] ^= 0x01; // primary entry 1's first LBA
        bytes[bytes.Length - 512 - (32 * 512) + 33] ^= 0x01; // backup entry 1's first LBA

        var report = await GuestDetection.OnBytesAsync(bytes);

        Assert.NotEqual(PartitionScheme.Gpt, report.Scheme);
        Assert.Null(report.OsRelease);
    }

    [Fact]
    public async Task Mbr_with_boot_code_and_ext3_root_boots_bios()
    {
        var path = _build.Disk(12, "label: dos\nsize=8M, type=83, bootable\n", _build.Ext(_build.RootTree(GuestDiskBuilder.CentOsRelease), "ext3", 8));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[0] = 0xEB; // a boot loader's jump
        bytes[1] = 0x63;

        var report = await GuestDetection.OnBytesAsync(bytes);

        Assert.Equal(PartitionScheme.Mbr, report.Scheme);
        Assert.Equal(GuestBootMode.Bios, report.BootMode);
        Assert.Equal(FileSystemKind.Ext3, Assert.Single(report.Volumes).FileSystem);
        Assert.Equal(new OsRelease("centos", "7", "CentOS Linux", "CentOS Linux 7 (Core)"), report.OsRelease);
    }

    [Fact]
    public async Task Mbr_logical_partitions_in_an_extended_partition_are_found()
    {
        var script = "label: dos\nstart=2048, size=2M, type=82\nstart=6144, size=13M, type=5\nstart=8192, size=3M, type=82\nstart=16384, size=8M, type=83\n";
        var disk = _build.Disk(16, script, _build.Swap(2), _build.Swap(3), _build.Ext(_build.RootTree(), "ext4", 8));

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal([1, 5, 6], report.Volumes.Select(v => v.Number ?? 0));
        Assert.Equal([FileSystemKind.Swap, FileSystemKind.Swap, FileSystemKind.Ext4], report.Volumes.Select(v => v.FileSystem));
        Assert.Equal("ubuntu", report.OsRelease?.Id);
    }

    [Fact]
    public async Task Mbr_with_an_efi_system_partition_boots_uefi()
    {
        var disk = _build.Disk(16, "label: dos\nsize=4M, type=ef\nsize=6M, type=83\n", _build.Fat(16, 4), _build.Ext(_build.RootTree()));

        var report = await GuestDetection.OnFileAsync(disk);

        Assert.Equal(GuestBootMode.Uefi, report.BootMode);
    }

    [Fact]
    public async Task Extended_partition_chain_that_loops_ends()
    {
        var script = "label: dos\nstart=2048, size=14M, type=5\nstart=4096, size=6M, type=83\n";
        var path = _build.Disk(16, script, _build.Ext(_build.RootTree()));
        var bytes = await File.ReadAllBytesAsync(path);
        var ebr = (int)(BitConverter.ToUInt32(bytes, 446 + 8) * 512);
        // Second EBR entry points back at the first EBR (relative offset 0): a loop.
        bytes[ebr + 446 + 16 + 4] = 0x05;
        BitConverter.GetBytes(0u).CopyTo(bytes, ebr + 446 + 16 + 8);
        BitConverter.GetBytes(1u).CopyTo(bytes, ebr + 446 + 16 + 12);

        var report = await GuestDetection.OnBytesAsync(bytes);

        Assert.Equal([5], report.Volumes.Select(v => v.Number ?? 0));
        Assert.Equal("ubuntu", report.OsRelease?.Id);
    }

    [Fact]
    public async Task Unpartitioned_ext4_disk_is_read_whole()
    {
        var report = await GuestDetection.OnFileAsync(_build.Ext(_build.RootTree()));

        Assert.Equal(PartitionScheme.None, report.Scheme);
        var volume = Assert.Single(report.Volumes);
        Assert.Null(volume.Number);
        Assert.Equal(FileSystemKind.Ext4, volume.FileSystem);
        Assert.Equal(GuestBootMode.Unknown, report.BootMode);
        Assert.Equal("ubuntu", report.OsRelease?.Id);
    }

    [Fact]
    public async Task Empty_disk_is_unknown()
    {
        var report = await GuestDetection.OnBytesAsync(new byte[1 << 20]);

        Assert.Equal(PartitionScheme.Unknown, report.Scheme);
        Assert.Empty(report.Volumes);
        Assert.Null(report.OsRelease);
        Assert.Null(report.OSType);
    }
}
