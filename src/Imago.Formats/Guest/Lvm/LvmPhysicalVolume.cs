using System.Buffers.Binary;
using System.Text;

namespace Imago.Formats.Guest.Lvm;

/// <summary>
/// An LVM2 physical volume (lib/format_text/layout.h): the "LABELONE" label in one of the first four sectors, its
/// pv_header (UUID, data and metadata area lists), and the newest text metadata from the first metadata area's
/// circular buffer. The logical volumes it maps are read from that metadata by <see cref="LvmVolumeGroup"/>.
/// </summary>
internal static class LvmPhysicalVolume
{
    private const int SectorSize = 512;
    private const int LabelSectors = 4;
    private const int LabelHeaderOffsetField = 20;
    private const int LabelTypeOffset = 24;
    private const int UuidLength = 32;
    private const int DiskLocationSize = 16;
    private const int MaxAreas = 8;

    private const int MdaMagicOffset = 4;
    private const int MdaStartOffset = 24;
    private const int MdaSizeOffset = 32;
    private const int MdaRawLocationOffset = 40;
    private const int MdaHeaderSize = 512;

    /// <summary>Real VG metadata is a few KiB; lvm2 itself caps it near the metadata area size (1 MiB by default).</summary>
    private const int MaxMetadataBytes = 1 << 20;

    private static readonly byte[] MdaMagic = " LVM2 x[5A%r0N*>"u8.ToArray();

    /// <summary>The PV's UUID (32 characters, no dashes) and its newest metadata text; null when this is not a readable PV.</summary>
    public static async ValueTask<(string Uuid, string Metadata)?> ReadAsync(GuestVolumeReader volume, CancellationToken cancellationToken)
    {
        var head = await volume.ReadHeadAsync(LabelSectors * SectorSize, cancellationToken).ConfigureAwait(false);
        for (var sector = 0; sector < LabelSectors && (sector + 1) * SectorSize <= head.Length; sector++)
        {
            var label = head.AsSpan(sector * SectorSize, SectorSize);
            if (!label[..8].SequenceEqual("LABELONE"u8) || !label.Slice(LabelTypeOffset, 8).SequenceEqual("LVM2 001"u8))
            {
                continue;
            }

            var headerOffset = BinaryPrimitives.ReadUInt32LittleEndian(label[LabelHeaderOffsetField..]);
            if (headerOffset > SectorSize - UuidLength - 8 - (2 * DiskLocationSize))
            {
                return null;
            }

            var header = label[(int)headerOffset..];
            var uuid = Encoding.ASCII.GetString(header[..UuidLength]);
            var areas = header[(UuidLength + 8)..]; // after the UUID and the device size
            var position = SkipList(areas); // the data areas come first
            var metadataArea = position + DiskLocationSize <= areas.Length ? areas.Slice(position, DiskLocationSize) : default;
            if (metadataArea.Length == 0)
            {
                return null;
            }

            var mdaOffset = BinaryPrimitives.ReadUInt64LittleEndian(metadataArea);
            var text = mdaOffset == 0 ? null : await ReadMetadataAsync(volume, mdaOffset, cancellationToken).ConfigureAwait(false);
            return text is null ? null : (uuid, text);
        }

        return null;
    }

    /// <summary>Skips a zero-terminated list of disk locations; returns the offset after its terminator.</summary>
    private static int SkipList(ReadOnlySpan<byte> areas)
    {
        var position = 0;
        for (var i = 0; i < MaxAreas && position + DiskLocationSize <= areas.Length; i++)
        {
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(areas[position..]);
            position += DiskLocationSize;
            if (offset == 0)
            {
                return position;
            }
        }

        return areas.Length; // no terminator: no metadata area to trust
    }

    private static async ValueTask<string?> ReadMetadataAsync(GuestVolumeReader volume, ulong mdaOffset, CancellationToken cancellationToken)
    {
        if (mdaOffset > (ulong)(volume.Length - MdaHeaderSize))
        {
            return null;
        }

        var header = await volume.ReadAsync((long)mdaOffset, MdaHeaderSize, cancellationToken).ConfigureAwait(false);
        if (!header.AsSpan(MdaMagicOffset, MdaMagic.Length).SequenceEqual(MdaMagic))
        {
            return null;
        }

        var start = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(MdaStartOffset));
        var size = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(MdaSizeOffset));
        var textOffset = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(MdaRawLocationOffset));
        var textSize = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(MdaRawLocationOffset + 8));
        if (start != mdaOffset || size <= MdaHeaderSize || size > (ulong)volume.Length - start || textOffset < MdaHeaderSize || textOffset >= size
            || textSize == 0 || textSize > MaxMetadataBytes || textSize > size - MdaHeaderSize)
        {
            return null;
        }

        // The text area is a circular buffer after the header: a record may wrap to its beginning.
        var first = (int)Math.Min(textSize, size - textOffset);
        var text = new byte[(int)textSize];
        (await volume.ReadAsync((long)(start + textOffset), first, cancellationToken).ConfigureAwait(false)).CopyTo(text, 0);
        if (first < (int)textSize)
        {
            (await volume.ReadAsync((long)start + MdaHeaderSize, (int)textSize - first, cancellationToken).ConfigureAwait(false)).CopyTo(text, first);
        }

        return Encoding.UTF8.GetString(text).TrimEnd('\0');
    }
}
