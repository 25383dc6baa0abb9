using System.Buffers.Binary;

namespace Imago.Formats.Inspection;

/// <summary>
/// An MBR or GPT (protective MBR) partition table at the start of the disk. It is raw content, but oslo.utils
/// validates it (its "gpt" inspector) so that a malformed table is refused; we apply the same checks to raw images.
/// </summary>
internal static class MbrInspector
{
    private const int SignatureOffset = 510;
    private const int PartitionTableOffset = 446;
    private const int PartitionEntrySize = 16;
    private const byte ProtectiveType = 0xEE;

    // FAT volume boot records also end in 0x55AA; oslo excludes them by these BPB fields.
    private const int FatCountOffset = 0x10;
    private const int MediaDescriptorOffset = 0x15;

    public static bool Matches(ReadOnlySpan<byte> head)
    {
        if (head.Length < 512 || head[SignatureOffset] != 0x55 || head[SignatureOffset + 1] != 0xAA)
        {
            return false;
        }

        var isFat = head[FatCountOffset] == 2 && head[MediaDescriptorOffset] == 0xF8;
        return !isFat;
    }

    /// <summary>Boot flags 0x00/0x80 only; at least one partition; a 0xEE protective entry is alone, at LBA 1, CHS 0/0/2.</summary>
    public static void Validate(ReadOnlySpan<byte> head)
    {
        var used = 0;
        var protective = false;
        for (var i = 0; i < 4; i++)
        {
            var entry = head.Slice(PartitionTableOffset + (i * PartitionEntrySize), PartitionEntrySize);
            if (entry[0] is not (0x00 or 0x80))
            {
                throw Invalid($"partition {i + 1} has boot flag 0x{entry[0]:x2}");
            }

            var type = entry[4];
            if (type == 0)
            {
                continue;
            }

            used++;
            if (type == ProtectiveType)
            {
                protective = true;
                var startLba = BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
                if (entry[1] != 0x00 || entry[2] != 0x02 || entry[3] != 0x00 || startLba != 1)
                {
                    throw Invalid("the protective GPT entry does not start at LBA 1");
                }
            }
        }

        if (used == 0)
        {
            throw Invalid("it has a boot signature but no partitions");
        }

        if (protective && used > 1)
        {
            throw Invalid("a protective GPT entry shares the table with other partitions");
        }
    }

    private static ImageFormatException Invalid(string why) =>
        new(ImageErrorKind.Corrupt, $"RAW image refused: its MBR partition table is invalid ({why})", ImageFormat.Raw);
}
