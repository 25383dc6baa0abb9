namespace Imago.Formats.Guest.Partitions;

/// <summary>A partition found in a table: byte range on the disk and its type.</summary>
/// <param name="Number">1-based, as Linux numbers them (logical MBR partitions from 5).</param>
internal sealed record DiskPartition(int Number, long Offset, long Length, string TypeName, bool IsEfiSystem, bool IsBiosBoot);

/// <summary>A partition table read from the disk.</summary>
internal sealed record PartitionTable(PartitionScheme Scheme, IReadOnlyList<DiskPartition> Partitions, bool HasBiosBootCode);
