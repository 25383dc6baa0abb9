using static Imago.Formats.Qcow2.Qcow2Constants;

namespace Imago.Formats.Qcow2;

/// <summary>Sizes derived from the header: cluster, L2 table and subcluster layout, compressed descriptor fields.</summary>
internal sealed class Qcow2Geometry
{
    public Qcow2Geometry(int clusterBits, bool extendedL2)
    {
        ClusterBits = clusterBits;
        ClusterSize = 1 << clusterBits;
        ExtendedL2 = extendedL2;
        L2EntryBytes = extendedL2 ? 16 : 8;
        L2Bits = clusterBits - (extendedL2 ? 4 : 3);
        L2Entries = 1 << L2Bits;
        SubclusterBits = extendedL2 ? clusterBits - 5 : clusterBits;
        SubclusterSize = 1 << SubclusterBits;
        CompressedSizeShift = 62 - (clusterBits - 8);
        CompressedSizeMask = (1UL << (clusterBits - 8)) - 1;
        CompressedOffsetMask = (1UL << CompressedSizeShift) - 1;
    }

    public int ClusterBits { get; }
    public int ClusterSize { get; }
    public bool ExtendedL2 { get; }
    public int L2EntryBytes { get; }
    public int L2Bits { get; }
    public int L2Entries { get; }

    /// <summary>Allocation unit inside a cluster: a subcluster with extended L2, else the cluster itself.</summary>
    public int SubclusterBits { get; }
    public int SubclusterSize { get; }
    public int CompressedSizeShift { get; }
    public ulong CompressedSizeMask { get; }
    public ulong CompressedOffsetMask { get; }

    /// <summary>Virtual bytes one L2 table maps.</summary>
    public long L2Coverage => (long)L2Entries << ClusterBits;

    public int L1Index(long virtualOffset) => (int)(virtualOffset >> (ClusterBits + L2Bits));

    public int L2Index(long virtualOffset) => (int)((virtualOffset >> ClusterBits) & (L2Entries - 1));

    public long OffsetInCluster(long offset) => offset & (ClusterSize - 1);

    public bool IsClusterAligned(long offset) => (offset & (ClusterSize - 1)) == 0;

    /// <summary>Host bytes a compressed descriptor points at: offset and length (qemu's csize).</summary>
    public (long Offset, int Length) DecodeCompressed(ulong entry)
    {
        var offset = (long)(entry & CompressedOffsetMask);
        var sectors = (long)((entry >> CompressedSizeShift) & CompressedSizeMask) + 1;
        var length = sectors * CompressedSectorSize - (offset & (CompressedSectorSize - 1));
        return (offset, (int)length);
    }

    /// <summary>Builds a compressed descriptor (without the compressed flag) for data at <paramref name="offset"/>.</summary>
    public ulong EncodeCompressed(long offset, int length)
    {
        var extraSectors = (ulong)(((offset + length - 1) >> 9) - (offset >> 9));
        return FlagCompressed | (extraSectors << CompressedSizeShift) | (ulong)offset;
    }
}
