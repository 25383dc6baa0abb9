using System.Buffers.Binary;

namespace Imago.Formats.Qcow2;

/// <summary>Reads refcounts of any width the spec allows (refcount_order 0..6: 1 to 64 bits) from a refcount block.</summary>
internal static class Qcow2RefcountBlock
{
    public static int EntriesPerBlock(int clusterBits, int refcountOrder) => 1 << (clusterBits + 3 - refcountOrder);

    public static ulong MaxValue(int refcountOrder) => refcountOrder >= 6 ? ulong.MaxValue : (1UL << (1 << refcountOrder)) - 1;

    public static ulong Get(ReadOnlySpan<byte> block, int refcountOrder, int index) => refcountOrder switch
    {
        0 => (ulong)(block[index >> 3] >> (index & 7)) & 0x1,
        1 => (ulong)(block[index >> 2] >> (2 * (index & 3))) & 0x3,
        2 => (ulong)(block[index >> 1] >> (4 * (index & 1))) & 0xf,
        3 => block[index],
        4 => BinaryPrimitives.ReadUInt16BigEndian(block[(index * 2)..]),
        5 => BinaryPrimitives.ReadUInt32BigEndian(block[(index * 4)..]),
        _ => BinaryPrimitives.ReadUInt64BigEndian(block[(index * 8)..]),
    };

    /// <summary>Stores a refcount; used by tests to damage images on purpose.</summary>
    public static void Set(Span<byte> block, int refcountOrder, int index, ulong value)
    {
        switch (refcountOrder)
        {
            case <= 2:
                var bits = 1 << refcountOrder;
                var perByte = 8 / bits;
                var shift = bits * (index % perByte);
                var mask = (byte)(((1 << bits) - 1) << shift);
                ref var b = ref block[index / perByte];
                b = (byte)((b & ~mask) | (((int)value << shift) & mask));
                break;
            case 3:
                block[index] = (byte)value;
                break;
            case 4:
                BinaryPrimitives.WriteUInt16BigEndian(block[(index * 2)..], (ushort)value);
                break;
            case 5:
                BinaryPrimitives.WriteUInt32BigEndian(block[(index * 4)..], (uint)value);
                break;
            default:
                BinaryPrimitives.WriteUInt64BigEndian(block[(index * 8)..], value);
                break;
        }
    }
}
