using System.Buffers.Binary;

namespace Imago.Formats.Vhd;

/// <summary>
/// The 1024-byte dynamic disk header ("cxsparse", big-endian) that the footer's data offset points to.
/// Parent fields only matter for differencing disks, which we refuse, so only their presence is kept.
/// </summary>
internal sealed record VhdDynamicHeader
{
    private const int DataOffsetOffset = 8;
    private const int TableOffsetOffset = 16;
    private const int VersionOffset = 24;
    private const int MaxTableEntriesOffset = 28;
    private const int BlockSizeOffset = 32;
    public const int ChecksumOffset = 36;

    /// <summary>Offset of a further structure; qemu and Microsoft tools write all 64 bits set (the spec says 32).</summary>
    public ulong DataOffset { get; init; } = ulong.MaxValue;

    /// <summary>File offset of the block allocation table.</summary>
    public ulong TableOffset { get; init; }

    public uint HeaderVersion { get; init; } = VhdConstants.DynamicHeaderVersion;

    public uint MaxTableEntries { get; init; }

    public uint BlockSize { get; init; }

    public uint Checksum { get; init; }

    public uint ComputedChecksum { get; init; }

    public bool IsChecksumValid => Checksum == ComputedChecksum;

    public static bool HasCookie(ReadOnlySpan<byte> data) =>
        data.Length >= VhdConstants.DynamicHeaderSize && data[..8].SequenceEqual(VhdConstants.DynamicHeaderCookie);

    public static VhdDynamicHeader Parse(ReadOnlySpan<byte> data)
    {
        var header = data[..VhdConstants.DynamicHeaderSize];
        return new VhdDynamicHeader
        {
            DataOffset = BinaryPrimitives.ReadUInt64BigEndian(header[DataOffsetOffset..]),
            TableOffset = BinaryPrimitives.ReadUInt64BigEndian(header[TableOffsetOffset..]),
            HeaderVersion = BinaryPrimitives.ReadUInt32BigEndian(header[VersionOffset..]),
            MaxTableEntries = BinaryPrimitives.ReadUInt32BigEndian(header[MaxTableEntriesOffset..]),
            BlockSize = BinaryPrimitives.ReadUInt32BigEndian(header[BlockSizeOffset..]),
            Checksum = BinaryPrimitives.ReadUInt32BigEndian(header[ChecksumOffset..]),
            ComputedChecksum = VhdChecksum.Compute(header, ChecksumOffset),
        };
    }

    /// <summary>Writes a header for a dynamic disk (no parent) with its checksum into 1024 bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        var header = destination[..VhdConstants.DynamicHeaderSize];
        header.Clear();
        VhdConstants.DynamicHeaderCookie.CopyTo(header);
        BinaryPrimitives.WriteUInt64BigEndian(header[DataOffsetOffset..], DataOffset);
        BinaryPrimitives.WriteUInt64BigEndian(header[TableOffsetOffset..], TableOffset);
        BinaryPrimitives.WriteUInt32BigEndian(header[VersionOffset..], HeaderVersion);
        BinaryPrimitives.WriteUInt32BigEndian(header[MaxTableEntriesOffset..], MaxTableEntries);
        BinaryPrimitives.WriteUInt32BigEndian(header[BlockSizeOffset..], BlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(header[ChecksumOffset..], VhdChecksum.Compute(header, ChecksumOffset));
    }

    /// <summary>
    /// Bytes of the sector bitmap in front of each data block: one bit per sector, padded to whole sectors.
    /// Same as qemu for every block size we accept (at least 4 KiB).
    /// </summary>
    public static int BitmapSize(int blockSize) =>
        (blockSize / (8 * VhdConstants.SectorSize) + VhdConstants.SectorSize - 1) & ~(VhdConstants.SectorSize - 1);
}
