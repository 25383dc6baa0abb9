namespace Imago.Formats.Vhd;

/// <summary>Values from the Virtual Hard Disk Image Format Specification (and qemu's block/vpc.c where it differs).</summary>
internal static class VhdConstants
{
    public const int SectorSize = 512;

    public const int FooterSize = 512;

    public const int DynamicHeaderSize = 1024;

    /// <summary>"conectix", the footer cookie.</summary>
    public static ReadOnlySpan<byte> FooterCookie => "conectix"u8;

    /// <summary>"cxsparse", the dynamic disk header cookie.</summary>
    public static ReadOnlySpan<byte> DynamicHeaderCookie => "cxsparse"u8;

    /// <summary>Footer "features": bit 1 is reserved and must always be set.</summary>
    public const uint FeaturesReserved = 0x2;

    public const uint FormatVersion = 0x0001_0000;

    public const uint DynamicHeaderVersion = 0x0001_0000;

    /// <summary>Footer data offset of a fixed disk: no further structure (qemu writes all 64 bits).</summary>
    public const ulong NoDataOffset = ulong.MaxValue;

    /// <summary>A BAT entry for a block that is not allocated.</summary>
    public const uint UnallocatedBlock = 0xFFFF_FFFF;

    /// <summary>Timestamps count seconds from 2000-01-01 00:00:00 UTC.</summary>
    public static readonly DateTime TimestampEpoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>qemu's VHD_MAX_SECTORS: images above 2040 GiB are refused by qemu, and by us.</summary>
    public const long MaxSectors = 0xFF00_0000;

    public const long MaxVirtualSize = MaxSectors * SectorSize;

    /// <summary>The block size every tool writes (qemu, Hyper-V): 2 MiB.</summary>
    public const int DefaultBlockSize = 2 * 1024 * 1024;

    /// <summary>
    /// Smallest block size we read. Below 4 KiB qemu computes a bitmap of 0 bytes where the specification
    /// requires one sector, so the two disagree on where data lives; we refuse instead of guessing.
    /// </summary>
    public const int MinBlockSize = 4096;

    /// <summary>Largest block size we read (qemu has no limit; no tool writes more than a few MiB).</summary>
    public const int MaxBlockSize = 256 * 1024 * 1024;

    /// <summary>
    /// Most BAT entries we hold in memory (32 MiB of table; 16 TiB of disk at 2 MiB blocks).
    /// Keeps memory bounded whatever max_table_entries says.
    /// </summary>
    public const int MaxBatEntries = 8 * 1024 * 1024;
}

internal enum VhdDiskType : uint
{
    None = 0,
    Fixed = 2,
    Dynamic = 3,
    Differencing = 4,
}
