namespace Imago.Formats.Inspection;

/// <summary>Which structure a detector recognised; the resolution rules need finer names than <see cref="ImageFormat"/>.</summary>
internal enum Signature
{
    Qcow2,
    /// <summary>A VHD footer copy at offset 0 (dynamic or differencing disks).</summary>
    VhdAtStart,
    /// <summary>A VHD footer only in the last sector (fixed disks).</summary>
    VhdAtEnd,
    Vhdx,
    Vmdk,
    Vdi,
    Qed,
    Iso,
    Luks,
}

/// <summary>
/// One detector's claim on the content. <see cref="ValidateAsync"/> runs the format's safety checks; it is only
/// called for the single claim that survives resolution, and it either returns what was found or throws.
/// </summary>
internal sealed record FormatMatch(
    Signature Signature,
    ImageFormat Format,
    string Description,
    Func<InspectionContext, CancellationToken, ValueTask<InspectionResult>> ValidateAsync);
