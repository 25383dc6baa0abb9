namespace Imago.Formats.Conversion;

/// <summary>qemu-img measure's answer.</summary>
/// <param name="Required">Bytes the output file needs for the source's data ("required size").</param>
/// <param name="FullyAllocated">Bytes the output file needs if every block were allocated ("fully allocated size").</param>
/// <param name="Bitmaps">Persistent dirty bitmaps ("bitmaps size"): qemu reports it only for a qcow2 v3 source into qcow2; always 0 here.</param>
public sealed record MeasureResult(long Required, long FullyAllocated, long? Bitmaps = null);
