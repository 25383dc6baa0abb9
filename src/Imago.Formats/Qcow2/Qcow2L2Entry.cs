using static Imago.Formats.Qcow2.Qcow2Constants;

namespace Imago.Formats.Qcow2;

/// <summary>What one allocation unit (cluster, or subcluster with extended L2) of the virtual disk is.</summary>
internal enum Qcow2UnitKind
{
    /// <summary>Not allocated, no host cluster: reads as zeros (there is never a backing file).</summary>
    Unallocated,
    /// <summary>Not allocated, inside a host cluster that holds other subclusters.</summary>
    UnallocatedInHostCluster,
    /// <summary>Reads as zeros, no host cluster.</summary>
    Zero,
    /// <summary>Reads as zeros; a host cluster is preallocated.</summary>
    ZeroInHostCluster,
    /// <summary>Data in the host cluster.</summary>
    Data,
    /// <summary>A compressed cluster.</summary>
    Compressed,
}

/// <summary>Decodes L2 entries (standard 64-bit and extended 128-bit) into unit kinds, as qemu classifies them.</summary>
internal static class Qcow2L2Entry
{
    /// <summary>
    /// Classifies subcluster <paramref name="subcluster"/> (0 without extended L2) of an entry.
    /// Returns null when the entry is invalid (the caller reports it with its position).
    /// </summary>
    public static Qcow2UnitKind? Classify(ulong entry, ulong bitmap, int subcluster, bool extendedL2, bool version3)
    {
        if ((entry & FlagCompressed) != 0)
        {
            return Qcow2UnitKind.Compressed;
        }

        var hostOffset = entry & L2OffsetMask;
        if (!extendedL2)
        {
            if ((entry & FlagZero) != 0)
            {
                // v2 has no zero clusters: qemu treats the bit as corruption there.
                return version3 ? (hostOffset != 0 ? Qcow2UnitKind.ZeroInHostCluster : Qcow2UnitKind.Zero) : null;
            }

            return hostOffset != 0 ? Qcow2UnitKind.Data : Qcow2UnitKind.Unallocated;
        }

        var alloc = (uint)(bitmap & SubclusterAllocMask);
        var zero = (uint)(bitmap >> 32);
        if (hostOffset == 0)
        {
            if (alloc != 0)
            {
                return null;
            }

            return (zero & (1u << subcluster)) != 0 ? Qcow2UnitKind.Zero : Qcow2UnitKind.Unallocated;
        }

        if ((alloc & zero) != 0)
        {
            return null;
        }

        if ((zero & (1u << subcluster)) != 0)
        {
            return Qcow2UnitKind.ZeroInHostCluster;
        }

        return (alloc & (1u << subcluster)) != 0 ? Qcow2UnitKind.Data : Qcow2UnitKind.UnallocatedInHostCluster;
    }

    public static long HostOffset(ulong entry) => (long)(entry & L2OffsetMask);
}
