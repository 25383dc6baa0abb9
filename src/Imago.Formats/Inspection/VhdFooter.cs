using System.Text;
using static Imago.Formats.Inspection.BigEndian;

namespace Imago.Formats.Inspection;

/// <summary>
/// The 512-byte VHD footer ("hard disk footer" of the Virtual Hard Disk Image Format Specification), parsed
/// and checked the way qemu's block/vpc.c reads it.
/// </summary>
internal readonly struct VhdFooter
{
    public const int Size = 512;
    public const uint TypeFixed = 2;
    public const uint TypeDynamic = 3;
    public const uint TypeDifferencing = 4;

    /// <summary>qemu's VHD_MAX_SECTORS: 2040 GiB.</summary>
    public const long MaxVirtualSize = 0xFF000000L * 512;

    private const int DataOffsetOffset = 16;
    private const int CreatorAppOffset = 28;
    private const int CurrentSizeOffset = 48;
    private const int CylindersOffset = 56;
    private const int HeadsOffset = 58;
    private const int SectorsPerTrackOffset = 59;
    private const int DiskTypeOffset = 60;
    private const int ChecksumOffset = 64;

    /// <summary>CHS 65535/16/255: the geometry that says "use current_size" whatever the creator.</summary>
    private const long MaxGeometrySectors = 65535L * 16 * 255;

    private static ReadOnlySpan<byte> Cookie => "conectix"u8;

    private VhdFooter(ulong dataOffset, string creatorApp, ulong currentSize, long chsSectors, uint diskType)
    {
        DataOffset = dataOffset;
        CreatorApp = creatorApp;
        CurrentSize = currentSize;
        ChsSectors = chsSectors;
        DiskType = diskType;
    }

    public ulong DataOffset { get; }

    public string CreatorApp { get; }

    public ulong CurrentSize { get; }

    public long ChsSectors { get; }

    public uint DiskType { get; }

    public static bool HasCookie(ReadOnlySpan<byte> sector) => sector.Length >= Size && sector.StartsWith(Cookie);

    /// <summary>Parses a footer whose cookie is present; a bad checksum or unknown type is corruption.</summary>
    public static VhdFooter Parse(ReadOnlySpan<byte> sector)
    {
        var stored = U32(sector, ChecksumOffset);
        var computed = Checksum(sector[..Size], ChecksumOffset);
        if (stored != computed)
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd, $"footer checksum 0x{stored:x8} does not match the computed 0x{computed:x8}");
        }

        var type = U32(sector, DiskTypeOffset);
        if (type is not (TypeFixed or TypeDynamic or TypeDifferencing))
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd, $"unknown disk type {type} in the footer");
        }

        var chs = (long)U16(sector, CylindersOffset) * sector[HeadsOffset] * sector[SectorsPerTrackOffset];
        var creator = Encoding.ASCII.GetString(sector.Slice(CreatorAppOffset, 4));
        return new VhdFooter(U64(sector, DataOffsetOffset), creator, U64(sector, CurrentSizeOffset), chs, type);
    }

    /// <summary>Parses a footer, or returns null when its checksum or type is invalid (for the optional end copy).</summary>
    public static VhdFooter? TryParse(ReadOnlySpan<byte> sector) =>
        U32(sector, ChecksumOffset) == Checksum(sector[..Size], ChecksumOffset)
        && U32(sector, DiskTypeOffset) is TypeFixed or TypeDynamic or TypeDifferencing
            ? Parse(sector)
            : null;

    /// <summary>
    /// The virtual size by qemu's rule: CHS geometry unless the creator is known to size disks by current_size
    /// (Hyper-V "win ", qemu force_size "qem2", Disk2vhd "d2v ", XenConverter "CTXS", XenServer "tap\0") or the
    /// geometry is the maximum; current_size is taken in whole sectors.
    /// </summary>
    public long VirtualSize()
    {
        var useCurrentSize = CreatorApp is "win " or "qem2" or "d2v " or "CTXS" or "tap\0" || ChsSectors == MaxGeometrySectors;
        if (!useCurrentSize)
        {
            return ChsSectors * 512;
        }

        if (CurrentSize > (ulong)MaxVirtualSize)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"VHD image declares a disk size of {CurrentSize} bytes, more than the format's limit of 2040 GiB", ImageFormat.Vhd);
        }

        return (long)(CurrentSize / 512) * 512;
    }

    /// <summary>One's complement of the byte sum, skipping the 4-byte checksum field itself.</summary>
    public static uint Checksum(ReadOnlySpan<byte> data, int checksumOffset)
    {
        uint sum = 0;
        for (var i = 0; i < data.Length; i++)
        {
            if (i < checksumOffset || i >= checksumOffset + 4)
            {
                sum += data[i];
            }
        }

        return ~sum;
    }
}
