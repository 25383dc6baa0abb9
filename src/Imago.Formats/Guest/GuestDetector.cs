using Imago.Formats.Guest.Ext;
using Imago.Formats.Guest.Fat;
using Imago.Formats.Guest.FileSystems;
using Imago.Formats.Guest.Lvm;
using Imago.Formats.Guest.Partitions;
using Imago.Formats.Guest.Xfs;

namespace Imago.Formats.Guest;

/// <summary>
/// Finds out what a disk holds: its partition table, the file system on each partition, how it boots, and the
/// installed OS from /etc/os-release (ext2/3/4, XFS and FAT roots, also in LVM2 logical volumes) or an NTFS volume (Windows). The disk is untrusted:
/// every read is bounded and budgeted, and whatever cannot be read is reported as unknown. Detection never throws
/// for the disk's content; only cancellation and the reader's own failures escape.
/// </summary>
public static class GuestDetector
{
    /// <summary>Partitions examined per disk; real disks have a handful.</summary>
    private const int MaxVolumes = 32;

    private static readonly string[] OsReleasePaths = ["/etc/os-release", "/usr/lib/os-release"];

    /// <summary>Where Windows keeps its system files; on FAT (public-image stand-ins) this marks a Windows disk.</summary>
    private const string WindowsSystemDirectory = "/Windows/System32";

    public static Task<GuestReport> DetectAsync(IDiskImage image, CancellationToken cancellationToken = default) =>
        DetectAsync(image.VirtualSize, image.ReadAsync, cancellationToken);

    public static async Task<GuestReport> DetectAsync(long size, GuestDiskRead read, CancellationToken cancellationToken = default)
    {
        var disk = new GuestDisk(size, read);
        PartitionTable table;
        try
        {
            table = await ReadPartitionTableAsync(disk, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (IsContentError(error))
        {
            return GuestReport.Unknown;
        }

        var volumes = new List<GuestVolume>();
        OsRelease? release = null;
        var windows = false;
        foreach (var partition in table.Partitions.Take(MaxVolumes))
        {
            var number = table.Scheme == PartitionScheme.None ? (int?)null : partition.Number;
            var reader = new GuestVolumeReader(disk, partition.Offset, partition.Length);
            var kind = await ExamineAsync(reader, number, partition.Offset, partition.TypeName, readOs: !partition.IsEfiSystem).ConfigureAwait(false);
            if (kind == FileSystemKind.Lvm2)
            {
                foreach (var lv in await LogicalVolumesAsync(reader, partition, cancellationToken).ConfigureAwait(false))
                {
                    await ExamineAsync(new GuestVolumeReader(disk, lv.Runs), number, lv.Runs[0].DiskOffset, $"LVM2 LV {lv.Name}", readOs: true).ConfigureAwait(false);
                }
            }
        }

        return new GuestReport(table.Scheme, BootMode(table), volumes, release, OSType(release, windows, volumes));

        // Names the file system on a volume, records it, and looks for the OS on it until one is found.
        async ValueTask<FileSystemKind> ExamineAsync(GuestVolumeReader reader, int? number, long offset, string typeName, bool readOs)
        {
            var kind = await ProbeAsync(reader, cancellationToken).ConfigureAwait(false);
            volumes.Add(new GuestVolume(number, offset, reader.Length, typeName, kind));
            windows |= kind == FileSystemKind.Ntfs;
            if (release is null && readOs && volumes.Count <= MaxVolumes)
            {
                var (found, isWindows) = await ReadOsAsync(reader, kind, cancellationToken).ConfigureAwait(false);
                release = found;
                windows |= isWindows;
            }

            return kind;
        }
    }

    /// <summary>The logical volumes an LVM2 physical volume holds on this disk; none when its metadata is unreadable.</summary>
    private static async ValueTask<IReadOnlyList<LvmLogicalVolume>> LogicalVolumesAsync(GuestVolumeReader pv, DiskPartition partition,
        CancellationToken cancellationToken)
    {
        try
        {
            return await LvmPhysicalVolume.ReadAsync(pv, cancellationToken).ConfigureAwait(false) is { } found
                ? LvmVolumeGroup.Read(found.Uuid, LvmConfig.Parse(found.Metadata), partition.Offset, partition.Length)
                : [];
        }
        catch (Exception error) when (IsContentError(error))
        {
            return [];
        }
    }

    private static async ValueTask<PartitionTable> ReadPartitionTableAsync(GuestDisk disk, CancellationToken cancellationToken)
    {
        if (disk.Size < MbrPartitionTable.SectorSize)
        {
            return new PartitionTable(PartitionScheme.Unknown, [], false);
        }

        var head = await disk.ReadAsync(0, (int)Math.Min(FileSystemProbe.ProbeBytes, disk.Size), cancellationToken).ConfigureAwait(false);
        if (MbrPartitionTable.HasSignature(head) && MbrPartitionTable.IsProtective(head))
        {
            var gpt = await GptPartitionTable.ReadAsync(disk, MbrPartitionTable.HasBootCode(head), cancellationToken).ConfigureAwait(false);
            if (gpt is not null)
            {
                return gpt;
            }
        }

        // A FAT or NTFS boot sector also ends in 0x55AA; its file system takes precedence over a look-alike table.
        var wholeDisk = FileSystemProbe.Identify(head);
        if (MbrPartitionTable.LooksLikeTable(head) && wholeDisk is FileSystemKind.Unknown or FileSystemKind.Swap or FileSystemKind.Lvm2 or FileSystemKind.Ext2
            or FileSystemKind.Ext3 or FileSystemKind.Ext4)
        {
            return await MbrPartitionTable.ReadAsync(disk, head, cancellationToken).ConfigureAwait(false);
        }

        return wholeDisk == FileSystemKind.Unknown
            ? new PartitionTable(PartitionScheme.Unknown, [], false)
            : new PartitionTable(PartitionScheme.None, [new DiskPartition(0, 0, disk.Size, "", false, false)], false);
    }

    private static async ValueTask<FileSystemKind> ProbeAsync(GuestVolumeReader volume, CancellationToken cancellationToken)
    {
        try
        {
            var head = await volume.ReadHeadAsync(FileSystemProbe.ProbeBytes, cancellationToken).ConfigureAwait(false);
            return FileSystemProbe.Identify(head);
        }
        catch (Exception error) when (IsContentError(error))
        {
            return FileSystemKind.Unknown;
        }
    }

    /// <summary>os-release from an ext or FAT root (and, on FAT, a Windows system directory); nothing on garbage.</summary>
    private static async ValueTask<(OsRelease? Release, bool Windows)> ReadOsAsync(GuestVolumeReader volume, FileSystemKind kind,
        CancellationToken cancellationToken)
    {
        try
        {
            IGuestFileSystem? fs = kind switch
            {
                FileSystemKind.Ext2 or FileSystemKind.Ext3 or FileSystemKind.Ext4 => await ExtFileSystem.OpenAsync(volume, cancellationToken).ConfigureAwait(false),
                FileSystemKind.Fat12 or FileSystemKind.Fat16 or FileSystemKind.Fat32 => await FatFileSystem.OpenAsync(volume, cancellationToken).ConfigureAwait(false),
                FileSystemKind.Xfs => await XfsFileSystem.OpenAsync(volume, cancellationToken).ConfigureAwait(false),
                _ => null,
            };
            if (fs is null)
            {
                return (null, false);
            }

            foreach (var path in OsReleasePaths)
            {
                var content = await GuestPaths.ReadFileAsync(fs, path, OsRelease.MaxBytes, cancellationToken).ConfigureAwait(false);
                if (content is not null && OsRelease.Parse(content) is { } release)
                {
                    return (release, false);
                }
            }

            var system = await GuestPaths.ResolveAsync(fs, WindowsSystemDirectory, cancellationToken).ConfigureAwait(false);
            return (null, system is { Kind: GuestNodeKind.Directory });
        }
        catch (Exception error) when (IsContentError(error))
        {
            return (null, false);
        }
    }

    /// <summary>EFI System Partition: UEFI. BIOS boot partition or MBR boot code, or any MBR disk without an ESP: BIOS.</summary>
    private static GuestBootMode BootMode(PartitionTable table)
    {
        var uefi = table.Partitions.Any(p => p.IsEfiSystem);
        var bios = table.Partitions.Any(p => p.IsBiosBoot) || (table.Scheme == PartitionScheme.Mbr && (table.HasBiosBootCode || !uefi));
        return (uefi, bios) switch
        {
            (true, true) => GuestBootMode.Both,
            (true, false) => GuestBootMode.Uefi,
            (false, true) => GuestBootMode.Bios,
            _ => GuestBootMode.Unknown,
        };
    }

    private static string? OSType(OsRelease? release, bool windows, IReadOnlyList<GuestVolume> volumes)
    {
        if (release is not null)
        {
            return "linux";
        }

        if (windows)
        {
            return "windows";
        }

        var linuxOnly = volumes.Any(v => v.FileSystem is FileSystemKind.Ext2 or FileSystemKind.Ext3 or FileSystemKind.Ext4 or FileSystemKind.Xfs
            or FileSystemKind.Btrfs or FileSystemKind.Lvm2 or FileSystemKind.Swap);
        return linuxOnly ? "linux" : null;
    }

    /// <summary>What a hostile or corrupt disk can raise: our own content error, or the format engine's.</summary>
    private static bool IsContentError(Exception error) => error is GuestDataException or ImageFormatException;
}
