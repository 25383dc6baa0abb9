using Imago.Formats.IO;

namespace Imago.Formats.Inspection;

/// <summary>
/// The security boundary in front of every reader: detects the format by content only (never by name), runs every
/// detector and refuses content that matches two formats, refuses a declared format the content contradicts, and
/// vets the one format found before any payload is read. Modelled on oslo.utils' format_inspector.
/// </summary>
public static class ImageInspector
{
    private static readonly Func<InspectionContext, FormatMatch?>[] Detectors =
    [
        Qcow2Inspector.Match,
        VhdInspector.MatchAtStart,
        VhdInspector.MatchAtEnd,
        RefusedFormatInspectors.MatchVhdx,
        VmdkInspector.Match,
        RefusedFormatInspectors.MatchVdi,
        RefusedFormatInspectors.MatchQed,
        RefusedFormatInspectors.MatchIso,
        RefusedFormatInspectors.MatchLuks,
    ];

    /// <summary>
    /// Detects the format by content (never by name), runs every safety check, and either returns what it
    /// found or throws <see cref="ImageFormatException"/>. When <paramref name="expected"/> is given, content
    /// of another format is refused with <see cref="ImageErrorKind.FormatMismatch"/>.
    /// </summary>
    public static async ValueTask<InspectionResult> InspectAsync(IByteSource source, ImageFormat? expected = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            var context = await InspectionContext.CaptureAsync(source, cancellationToken).ConfigureAwait(false);
            var matches = new List<FormatMatch>();
            foreach (var detect in Detectors)
            {
                if (detect(context) is { } match)
                {
                    matches.Add(match);
                }
            }

            var hasPartitionTable = MbrInspector.Matches(context.Head.Span);
            var chosen = Resolve(matches, hasPartitionTable);
            var detected = chosen?.Format ?? ImageFormat.Raw;
            if (expected is { } declared && declared != detected)
            {
                throw Mismatch(declared, detected, chosen?.Description);
            }

            if (chosen is null)
            {
                if (hasPartitionTable)
                {
                    MbrInspector.Validate(context.Head.Span);
                }

                return new InspectionResult(ImageFormat.Raw, context.Length);
            }

            return await chosen.ValidateAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentException or OverflowException
                                       or InvalidCastException or DivideByZeroException or NullReferenceException)
        {
            // A defect in a parser must still surface as a refusal at the boundary; the inner exception keeps the
            // defect visible to the fuzz harnesses and the mutation tests, which treat it as a crash.
            throw new ImageFormatException(ImageErrorKind.Corrupt, "the image's metadata could not be parsed", inner: ex);
        }
    }

    /// <summary>
    /// One claim wins; two are refused as ambiguous (one header hidden in another), with two exceptions from
    /// the MBR/GPT side: a bootable ISO carries a partition table, and a fixed VHD's data is a whole disk with one.
    /// </summary>
    private static FormatMatch? Resolve(List<FormatMatch> matches, bool hasPartitionTable)
    {
        if (matches.Count > 1)
        {
            throw new ImageFormatException(ImageErrorKind.Ambiguous,
                $"the image matches more than one format ({string.Join(", ", matches.Select(m => m.Description))}); a header may be hidden in another, so it is refused");
        }

        if (matches.Count == 0)
        {
            return null;
        }

        var match = matches[0];
        if (hasPartitionTable && match.Format.IsAccepted() && match.Signature != Signature.VhdAtEnd)
        {
            throw new ImageFormatException(ImageErrorKind.Ambiguous,
                $"the image matches more than one format ({match.Description}, a raw disk with a partition table); a header may be hidden in another, so it is refused");
        }

        return match;
    }

    private static ImageFormatException Mismatch(ImageFormat declared, ImageFormat detected, string? description) =>
        new(ImageErrorKind.FormatMismatch,
            $"the image was declared as {declared.DisplayName()} but its content is {(description is null ? "raw data" : "a " + description + " image")}; refusing to treat it as something else",
            detected);
}
