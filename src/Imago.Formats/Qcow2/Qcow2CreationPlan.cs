using static Imago.Formats.Qcow2.Qcow2Constants;

namespace Imago.Formats.Qcow2;

/// <summary>
/// The size and cluster size of a qcow2 image we are about to create, checked the way qemu checks them, and the
/// file size qemu-img measure reports for it. The writer and the measurer both start here, so they cannot disagree
/// on which sizes and cluster sizes are possible.
/// </summary>
internal sealed record Qcow2CreationPlan(long VirtualSize, int ClusterBits)
{
    /// <summary>qemu's default cluster size, and ours.</summary>
    public const int DefaultClusterSize = 64 * 1024;

    /// <summary>16-bit refcounts: what qemu writes by default, and all our writer writes.</summary>
    public const int RefcountOrder = 4;

    private const int TableEntrySize = 8; // L1, L2 (without extended L2) and refcount table entries

    public int ClusterSize => 1 << ClusterBits;

    /// <summary>L1 entries the disk needs: one per L2 table.</summary>
    public long L1Entries => Qcow2Header.RequiredL1Entries(VirtualSize, ClusterBits, extendedL2: false);

    public static Qcow2CreationPlan For(long requestedSize, ImageCreateOptions options)
    {
        var clusterSize = options.ClusterSize ?? DefaultClusterSize;
        if (clusterSize < 1 << MinClusterBits || clusterSize > 1 << MaxClusterBits || (clusterSize & (clusterSize - 1)) != 0)
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption,
                $"qcow2 cluster_size must be a power of two between 512 and 2M, not {clusterSize}");
        }

        var clusterBits = System.Numerics.BitOperations.Log2((uint)clusterSize);

        // qemu keeps qcow2 sizes in whole 512-byte sectors: round up so no byte of the source is lost.
        if (requestedSize > long.MaxValue - 511)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge, "the virtual size is too large for qcow2");
        }

        var plan = new Qcow2CreationPlan((requestedSize + 511) & ~511L, clusterBits);
        if (plan.L1Entries * TableEntrySize > MaxL1Bytes)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"a {plan.VirtualSize}-byte qcow2 disk is too large for cluster_size {clusterSize}: its L1 table would exceed " +
                "qemu's 32 MiB limit; use a larger cluster_size");
        }

        return plan;
    }

    /// <summary>
    /// File size of the image with every cluster allocated, as qemu computes it for measure
    /// (qcow2_calc_prealloc_size in block/qcow2.c): header cluster, L2 tables, L1 table, refcounts, data.
    /// </summary>
    public long FullyAllocatedFileSize()
    {
        var alignedSize = AlignedVirtualSize;
        long metadata = ClusterSize; // header cluster

        var l2Entries = AlignUp(alignedSize / ClusterSize, ClusterSize / TableEntrySize);
        metadata += l2Entries * TableEntrySize;

        var l1Entries = AlignUp(l2Entries * TableEntrySize / ClusterSize, ClusterSize / TableEntrySize);
        metadata += l1Entries * TableEntrySize;

        metadata += RefcountMetadataSize((metadata + alignedSize) / ClusterSize);
        return metadata + alignedSize;
    }

    /// <summary>The virtual size rounded up to whole clusters: the data a fully allocated image stores.</summary>
    public long AlignedVirtualSize => AlignUp(VirtualSize, ClusterSize);

    /// <summary>
    /// Refcount table plus blocks needed to count <paramref name="clusters"/> clusters and themselves
    /// (qcow2_refcount_metadata_size in block/qcow2-refcount.c): iterate to the fixed point.
    /// </summary>
    private long RefcountMetadataSize(long clusters)
    {
        long blocksPerTableCluster = ClusterSize / TableEntrySize;
        var refcountsPerBlock = (long)ClusterSize * 8 / (1 << RefcountOrder);
        long table = 0, blocks = 0, total = 0, last;
        do
        {
            last = total;
            blocks = DivideRoundingUp(clusters + table + blocks, refcountsPerBlock);
            table = DivideRoundingUp(blocks, blocksPerTableCluster);
            total = clusters + blocks + table;
        }
        while (total != last);

        return (blocks + table) * ClusterSize;
    }

    private static long AlignUp(long value, long alignment) => DivideRoundingUp(value, alignment) * alignment;

    private static long DivideRoundingUp(long value, long divisor) => (value + divisor - 1) / divisor;
}
