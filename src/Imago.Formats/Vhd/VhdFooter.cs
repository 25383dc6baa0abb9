using System.Buffers.Binary;

namespace Imago.Formats.Vhd;

/// <summary>
/// The 512-byte hard disk footer (big-endian). A fixed disk has it only at the end of the file; a dynamic
/// disk also keeps a copy at offset 0.
/// </summary>
internal sealed record VhdFooter
{
    private const int CookieOffset = 0;
    private const int FeaturesOffset = 8;
    private const int VersionOffset = 12;
    private const int DataOffsetOffset = 16;
    private const int TimestampOffset = 24;
    private const int CreatorAppOffset = 28;
    private const int CreatorVersionOffset = 32;
    private const int CreatorHostOsOffset = 36;
    private const int OriginalSizeOffset = 40;
    private const int CurrentSizeOffset = 48;
    private const int CylindersOffset = 56;
    private const int HeadsOffset = 58;
    private const int SectorsPerTrackOffset = 59;
    private const int DiskTypeOffset = 60;
    public const int ChecksumOffset = 64;
    private const int UniqueIdOffset = 68;
    private const int SavedStateOffset = 84;

    public uint Features { get; init; } = VhdConstants.FeaturesReserved;

    public uint FormatVersion { get; init; } = VhdConstants.FormatVersion;

    /// <summary>Offset of the dynamic header; <see cref="VhdConstants.NoDataOffset"/> for a fixed disk.</summary>
    public ulong DataOffset { get; init; }

    /// <summary>Seconds since 2000-01-01 UTC.</summary>
    public uint Timestamp { get; init; }

    /// <summary>Four bytes naming the creating application ("vpc ", "win ", "qemu", "qem2", ...).</summary>
    public required byte[] CreatorApp { get; init; }

    public uint CreatorVersion { get; init; }

    public required byte[] CreatorHostOs { get; init; }

    public ulong OriginalSize { get; init; }

    public ulong CurrentSize { get; init; }

    public VhdGeometry Geometry { get; init; }

    public VhdDiskType DiskType { get; init; }

    /// <summary>The checksum stored in the footer.</summary>
    public uint Checksum { get; init; }

    /// <summary>The checksum the footer's bytes add up to (equals <see cref="Checksum"/> when intact).</summary>
    public uint ComputedChecksum { get; init; }

    public bool IsChecksumValid => Checksum == ComputedChecksum;

    public required byte[] UniqueId { get; init; }

    public byte SavedState { get; init; }

    public static bool HasCookie(ReadOnlySpan<byte> sector) =>
        sector.Length >= VhdConstants.FooterSize && sector[..8].SequenceEqual(VhdConstants.FooterCookie);

    /// <summary>Parses a footer whose cookie the caller has checked. No field is trusted yet.</summary>
    public static VhdFooter Parse(ReadOnlySpan<byte> sector)
    {
        var footer = sector[..VhdConstants.FooterSize];
        return new VhdFooter
        {
            Features = BinaryPrimitives.ReadUInt32BigEndian(footer[FeaturesOffset..]),
            FormatVersion = BinaryPrimitives.ReadUInt32BigEndian(footer[VersionOffset..]),
            DataOffset = BinaryPrimitives.ReadUInt64BigEndian(footer[DataOffsetOffset..]),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(footer[TimestampOffset..]),
            CreatorApp = footer.Slice(CreatorAppOffset, 4).ToArray(),
            CreatorVersion = BinaryPrimitives.ReadUInt32BigEndian(footer[CreatorVersionOffset..]),
            CreatorHostOs = footer.Slice(CreatorHostOsOffset, 4).ToArray(),
            OriginalSize = BinaryPrimitives.ReadUInt64BigEndian(footer[OriginalSizeOffset..]),
            CurrentSize = BinaryPrimitives.ReadUInt64BigEndian(footer[CurrentSizeOffset..]),
            Geometry = new VhdGeometry(
                BinaryPrimitives.ReadUInt16BigEndian(footer[CylindersOffset..]),
                footer[HeadsOffset],
                footer[SectorsPerTrackOffset]),
            DiskType = (VhdDiskType)BinaryPrimitives.ReadUInt32BigEndian(footer[DiskTypeOffset..]),
            Checksum = BinaryPrimitives.ReadUInt32BigEndian(footer[ChecksumOffset..]),
            ComputedChecksum = VhdChecksum.Compute(footer, ChecksumOffset),
            UniqueId = footer.Slice(UniqueIdOffset, 16).ToArray(),
            SavedState = footer[SavedStateOffset],
        };
    }

    /// <summary>Writes the footer with a freshly computed checksum into <paramref name="destination"/> (512 bytes).</summary>
    public void WriteTo(Span<byte> destination)
    {
        var footer = destination[..VhdConstants.FooterSize];
        footer.Clear();
        VhdConstants.FooterCookie.CopyTo(footer[CookieOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(footer[FeaturesOffset..], Features);
        BinaryPrimitives.WriteUInt32BigEndian(footer[VersionOffset..], FormatVersion);
        BinaryPrimitives.WriteUInt64BigEndian(footer[DataOffsetOffset..], DataOffset);
        BinaryPrimitives.WriteUInt32BigEndian(footer[TimestampOffset..], Timestamp);
        CreatorApp.AsSpan(0, 4).CopyTo(footer[CreatorAppOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(footer[CreatorVersionOffset..], CreatorVersion);
        CreatorHostOs.AsSpan(0, 4).CopyTo(footer[CreatorHostOsOffset..]);
        BinaryPrimitives.WriteUInt64BigEndian(footer[OriginalSizeOffset..], OriginalSize);
        BinaryPrimitives.WriteUInt64BigEndian(footer[CurrentSizeOffset..], CurrentSize);
        BinaryPrimitives.WriteUInt16BigEndian(footer[CylindersOffset..], Geometry.Cylinders);
        footer[HeadsOffset] = Geometry.Heads;
        footer[SectorsPerTrackOffset] = Geometry.SectorsPerTrack;
        BinaryPrimitives.WriteUInt32BigEndian(footer[DiskTypeOffset..], (uint)DiskType);
        UniqueId.AsSpan(0, 16).CopyTo(footer[UniqueIdOffset..]);
        footer[SavedStateOffset] = SavedState;
        BinaryPrimitives.WriteUInt32BigEndian(footer[ChecksumOffset..], VhdChecksum.Compute(footer, ChecksumOffset));
    }
}
