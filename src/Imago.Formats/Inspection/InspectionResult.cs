namespace Imago.Formats.Inspection;

/// <summary>What the inspector found in a file it cleared.</summary>
/// <param name="Format">The one format the content matched (raw when none did).</param>
/// <param name="VirtualSize">The virtual disk size the headers declare (the file length for raw).</param>
/// <param name="Variant">A subformat when it matters: "fixed"/"dynamic" for VHD, "v2"/"v3" for qcow2.</param>
public sealed record InspectionResult(ImageFormat Format, long VirtualSize, string? Variant = null);
