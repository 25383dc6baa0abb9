using System.Buffers.Binary;
using System.Text;

namespace Imago.Formats.Inspection;

/// <summary>
/// Recognises VMDK (a "KDMV" sparse header or a text descriptor file) to refuse it. The descriptor is read, within
/// a 1 MiB cap, only to say why: an extent naming a host path or a separate extent file (OSSA-2023-002: a flat
/// descriptor pointing at /etc/hosts) is refused as unsafe, a self-contained sparse file as unsupported.
/// </summary>
internal static class VmdkInspector
{
    private const ImageFormat F = ImageFormat.Vmdk;
    private const int DescriptorSectorOffset = 28;
    private const int DescriptorSectorsOffset = 36;
    private const int MaxDescriptorSize = (1 << 20) - 1;
    private const int MaxShownLength = 40;

    private static ReadOnlySpan<byte> SparseMagic => "KDMV"u8;

    private static ReadOnlySpan<byte> DescriptorMagic => "# Disk DescriptorFile"u8;

    public static FormatMatch? Match(InspectionContext context)
    {
        var head = context.Head.Span;
        if (head.StartsWith(SparseMagic))
        {
            return new FormatMatch(Signature.Vmdk, F, "VMDK", ValidateSparseAsync);
        }

        return head.StartsWith(DescriptorMagic)
            ? new FormatMatch(Signature.Vmdk, F, "VMDK", (c, _) => throw Classify(c.Head.Span, "descriptor file"))
            : null;
    }

    private static async ValueTask<InspectionResult> ValidateSparseAsync(InspectionContext context, CancellationToken cancellationToken)
    {
        var head = context.Head.Span;
        if (head.Length < 44)
        {
            throw ImageFormatException.Unsupported(F, "sparse extent");
        }

        var sector = BinaryPrimitives.ReadUInt64LittleEndian(head[DescriptorSectorOffset..]);
        var sectors = BinaryPrimitives.ReadUInt64LittleEndian(head[DescriptorSectorsOffset..]);
        if (sector == 0 || sectors == 0 || sector > (ulong)context.Length / 512)
        {
            throw ImageFormatException.Unsupported(F, "sparse extent");
        }

        var offset = (long)sector * 512;
        var size = (int)Math.Min(Math.Min(sectors, MaxDescriptorSize / 512 + 1) * 512, MaxDescriptorSize);
        size = (int)Math.Min(size, context.Length - offset);
        var descriptor = await context.ReadRegionAsync(offset, size, F, "the descriptor", cancellationToken).ConfigureAwait(false);
        throw Classify(descriptor.Span, "sparse");
    }

    /// <summary>Parses the descriptor line by line (case-insensitive ASCII) and turns what it finds into the refusal.</summary>
    private static ImageFormatException Classify(ReadOnlySpan<byte> descriptor, string fallbackType)
    {
        var end = descriptor.IndexOf((byte)0);
        var text = Encoding.ASCII.GetString(end < 0 ? descriptor : descriptor[..end]);
        string? createType = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("createType", StringComparison.OrdinalIgnoreCase) && line.Contains('='))
            {
                createType = Printable(line[(line.IndexOf('=') + 1)..].Trim().Trim('"'));
            }
            else if (IsExtentLine(line) && (line.Contains('/') || line.Contains('\\') || line.Contains(':')))
            {
                return ImageFormatException.Unsafe(F, "its descriptor names an extent by a host path, which would make the reader open that file");
            }
        }

        var type = createType ?? fallbackType;
        if (!type.Equals("monolithicSparse", StringComparison.OrdinalIgnoreCase)
            && !type.Equals("streamOptimized", StringComparison.OrdinalIgnoreCase)
            && !type.Equals("sparse", StringComparison.Ordinal))
        {
            return ImageFormatException.Unsafe(F, $"its descriptor ({type}) refers to separate extent files, which would make the reader open other files");
        }

        return ImageFormatException.Unsupported(F, type);
    }

    private static bool IsExtentLine(string line)
    {
        var first = line.Split(' ', 2)[0];
        return first.Equals("rw", StringComparison.OrdinalIgnoreCase)
            || first.Equals("rdonly", StringComparison.OrdinalIgnoreCase)
            || first.Equals("noaccess", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Keeps a value from the file safe to put in a one-line message.</summary>
    private static string Printable(string value)
    {
        var builder = new StringBuilder();
        foreach (var c in value)
        {
            if (builder.Length == MaxShownLength)
            {
                break;
            }

            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return builder.ToString();
    }
}
