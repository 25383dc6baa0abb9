namespace Imago.Formats.Guest;

/// <summary>What detection found on a disk. Every part is optional: an unreadable part is simply unknown.</summary>
/// <param name="Scheme">The partition table.</param>
/// <param name="BootMode">How the disk can boot, from its partitions and boot code.</param>
/// <param name="Volumes">Partitions (or the whole disk) with the file system found on each.</param>
/// <param name="OsRelease">The guest's /etc/os-release, when a root file system with one was readable.</param>
/// <param name="OSType">"linux" or "windows" when the contents say so, else null.</param>
public sealed record GuestReport(
    PartitionScheme Scheme,
    GuestBootMode BootMode,
    IReadOnlyList<GuestVolume> Volumes,
    OsRelease? OsRelease,
    string? OSType)
{
    public static GuestReport Unknown { get; } = new(PartitionScheme.Unknown, GuestBootMode.Unknown, [], null, null);
}

/// <summary>A partition (Number 1-based; null for a whole-disk file system) and the file system on it.</summary>
public sealed record GuestVolume(int? Number, long Offset, long Length, string PartitionType, FileSystemKind FileSystem);

public enum PartitionScheme
{
    /// <summary>Nothing recognisable at the start of the disk (or it could not be read).</summary>
    Unknown,
    /// <summary>No partition table: a file system occupies the whole disk.</summary>
    None,
    Mbr,
    Gpt,
}

public enum GuestBootMode
{
    Unknown,
    Bios,
    Uefi,
    /// <summary>Both an EFI System Partition and BIOS boot (a BIOS boot partition or MBR boot code): hybrid images.</summary>
    Both,
}

public enum FileSystemKind
{
    Unknown,
    Ext2,
    Ext3,
    Ext4,
    Fat12,
    Fat16,
    Fat32,
    Xfs,
    Btrfs,
    Ntfs,
    Swap,
    Lvm2,
}
