using System.Buffers.Binary;
using static Imago.Formats.Inspection.BigEndian;

namespace Imago.Formats.Inspection;

/// <summary>
/// Formats the service recognises only to refuse them by name (VHDX, VDI, QED, LUKS, ISO 9660/UDF), so that they
/// are never mistaken for raw data. Their signatures follow qemu's probes and oslo.utils' inspectors.
/// </summary>
internal static class RefusedFormatInspectors
{
    private const int IsoDescriptorOffset = 32 * 1024;
    private const int IsoSectorSize = 2048;
    private const uint VdiSignature = 0xBEDA107F;
    private const int VdiSignatureOffset = 0x40;

    private static ReadOnlySpan<byte> LuksMagic => [0x4C, 0x55, 0x4B, 0x53, 0xBA, 0xBE]; // "LUKS\xba\xbe"

    public static FormatMatch? MatchVhdx(InspectionContext context) =>
        context.Head.Span.StartsWith("vhdxfile"u8) ? Refuse(Signature.Vhdx, ImageFormat.Vhdx, null) : null;

    public static FormatMatch? MatchQed(InspectionContext context) =>
        context.Head.Span.StartsWith("QED\0"u8) ? Refuse(Signature.Qed, ImageFormat.Qed, null) : null;

    public static FormatMatch? MatchVdi(InspectionContext context)
    {
        var head = context.Head.Span;
        return head.Length >= VdiSignatureOffset + 4
            && BinaryPrimitives.ReadUInt32LittleEndian(head[VdiSignatureOffset..]) == VdiSignature
            ? Refuse(Signature.Vdi, ImageFormat.Vdi, null)
            : null;
    }

    /// <summary>LUKS v1 and v2 share the "LUKS\xba\xbe" magic and a big-endian version at offset 6.</summary>
    public static FormatMatch? MatchLuks(InspectionContext context)
    {
        var head = context.Head.Span;
        if (head.Length < 8 || !head.StartsWith(LuksMagic))
        {
            return null;
        }

        var version = U16(head, 6);
        return Refuse(Signature.Luks, ImageFormat.Luks, version is 1 or 2 ? $"LUKS version {version}, encrypted" : "encrypted");
    }

    /// <summary>
    /// ISO 9660 ("CD001") or UDF ("BEA01" followed by "NSR02"/"NSR03") volume descriptors start at 32 KiB, after
    /// the 16-sector system area, where a hybrid ISO keeps its MBR/GPT.
    /// </summary>
    public static FormatMatch? MatchIso(InspectionContext context)
    {
        var head = context.Head.Span;
        for (var sector = 0; sector < 3; sector++)
        {
            var at = IsoDescriptorOffset + (sector * IsoSectorSize) + 1;
            if (head.Length < at + 5)
            {
                return null;
            }

            var id = head.Slice(at, 5);
            if (id.SequenceEqual("CD001"u8) || id.SequenceEqual("NSR02"u8) || id.SequenceEqual("NSR03"u8))
            {
                return Refuse(Signature.Iso, ImageFormat.Iso, null);
            }

            // Only a UDF beginning-of-extended-area descriptor lets the search continue to the next sector.
            if (!id.SequenceEqual("BEA01"u8))
            {
                return null;
            }
        }

        return null;
    }

    public static FormatMatch Refuse(Signature signature, ImageFormat format, string? detail) =>
        new(signature, format, format.DisplayName(), (_, _) => throw ImageFormatException.Unsupported(format, detail));
}
