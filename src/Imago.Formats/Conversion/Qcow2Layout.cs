namespace Imago.Formats.Conversion;

/// <summary>
/// qcow2 space arithmetic for measure, after qemu's qcow2_calc_prealloc_size and
/// qcow2_refcount_metadata_size (block/qcow2.c, block/qcow2-refcount.c).
/// </summary>
internal static class Qcow2Layout
{
    public const int DefaultClusterSize = 64 * 1024;
    public const int DefaultRefcountOrder = 4; // 16-bit refcounts, what qemu and our writer use
    private const int L1EntrySize = 8;
    private const int L2EntrySize = 8;
    private const int RefcountTableEntrySize = 8;
    private const long MaxL1Bytes = 32L << 20; // qemu's QCOW_MAX_L1_SIZE

    public static void CheckL1Size(long virtualSize, int clusterSize)
    {
        var l2Tables = ImageMeasurer.AlignUp(virtualSize / clusterSize, clusterSize / L2EntrySize) / (clusterSize / L2EntrySize);
        if (l2Tables * L1EntrySize > MaxL1Bytes)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                "The image size is too large (try using a larger cluster size)");
        }
    }

    /// <summary>File size of an image with every cluster allocated: header, L1, L2, refcounts and data.</summary>
    public static long PreallocatedSize(long virtualSize, int clusterSize, int refcountOrder)
    {
        var alignedSize = ImageMeasurer.AlignUp(virtualSize, clusterSize);
        long metadata = clusterSize; // header cluster

        var l2Entries = ImageMeasurer.AlignUp(alignedSize / clusterSize, clusterSize / L2EntrySize);
        metadata += l2Entries * L2EntrySize;

        var l1Entries = ImageMeasurer.AlignUp(l2Entries * L2EntrySize / clusterSize, clusterSize / L1EntrySize);
        metadata += l1Entries * L1EntrySize;

        metadata += RefcountMetadataSize((metadata + alignedSize) / clusterSize, clusterSize, refcountOrder);
        return metadata + alignedSize;
    }

    /// <summary>
    /// Refcount table plus blocks needed to count <paramref name="clusters"/> clusters and themselves:
    /// iterate to the fixed point where no more refcount clusters are needed.
    /// </summary>
    public static long RefcountMetadataSize(long clusters, int clusterSize, int refcountOrder)
    {
        long blocksPerTableCluster = clusterSize / RefcountTableEntrySize;
        var refcountsPerBlock = (long)clusterSize * 8 / (1 << refcountOrder);
        long table = 0, blocks = 0, total = 0, last;
        do
        {
            last = total;
            blocks = DivideRoundingUp(clusters + table + blocks, refcountsPerBlock);
            table = DivideRoundingUp(blocks, blocksPerTableCluster);
            total = clusters + blocks + table;
        }
        while (total != last);

        return (blocks + table) * clusterSize;
    }

    private static long DivideRoundingUp(long value, long divisor) => (value + divisor - 1) / divisor;
}
