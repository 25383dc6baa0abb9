using System.Buffers.Binary;
using Imago.Formats.Qcow2;

namespace Imago.Formats.Tests.Qcow2;

/// <summary>Finds and damages qcow2 structures in a file, to build corrupt and hostile images on purpose.</summary>
internal sealed class Qcow2Surgery(string path)
{
    public Qcow2Header Header { get; } = ReadHeader(path);

    public int ClusterSize => Header.ClusterSize;

    public int L2EntryBytes => Header.ExtendedL2 ? 16 : 8;

    public ulong ReadU64(long offset)
    {
        var bytes = new byte[8];
        using var f = File.OpenHandle(path);
        RandomAccess.Read(f, bytes, offset);
        return BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    public void WriteU64(long offset, ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        WriteBytes(offset, bytes);
    }

    public void WriteU32(long offset, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        WriteBytes(offset, bytes);
    }

    public void WriteBytes(long offset, byte[] bytes)
    {
        using var f = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.Write(f, bytes, offset);
    }

    public long L1EntryOffset(int index) => Header.L1TableOffset + index * 8L;

    public long L2TableOffset(int l1Index) => (long)(ReadU64(L1EntryOffset(l1Index)) & 0x00fffffffffffe00UL);

    public long L2EntryOffset(int l1Index, int l2Index) => L2TableOffset(l1Index) + (long)l2Index * L2EntryBytes;

    /// <summary>(L2 entry file offset, entry) of every standard data cluster of the active L1.</summary>
    public IEnumerable<(long EntryOffset, ulong Entry)> DataEntries() =>
        L2Entries().Where(e => (e.Entry & (1UL << 62)) == 0 && (e.Entry & 0x00fffffffffffe00UL) != 0);

    /// <summary>(L2 entry file offset, entry) of every compressed cluster of the active L1.</summary>
    public IEnumerable<(long EntryOffset, ulong Entry)> CompressedEntries() =>
        L2Entries().Where(e => (e.Entry & (1UL << 62)) != 0);

    /// <summary>Every entry of every L2 table the active L1 points to, with its file offset.</summary>
    private IEnumerable<(long EntryOffset, ulong Entry)> L2Entries()
    {
        var l2Entries = ClusterSize / L2EntryBytes;
        for (var i = 0; i < Header.L1Size; i++)
        {
            var l2 = L2TableOffset(i);
            if (l2 == 0)
            {
                continue;
            }

            for (var k = 0; k < l2Entries; k++)
            {
                var at = l2 + (long)k * L2EntryBytes;
                yield return (at, ReadU64(at));
            }
        }
    }

    /// <summary>Sets the stored refcount of host cluster <paramref name="cluster"/>.</summary>
    public void SetRefcount(long cluster, ulong value)
    {
        var perBlock = Qcow2RefcountBlock.EntriesPerBlock(Header.ClusterBits, Header.RefcountOrder);
        var block = (long)ReadU64(Header.RefcountTableOffset + cluster / perBlock * 8);
        Assert.NotEqual(0, block);
        var bytes = new byte[ClusterSize];
        using (var f = File.OpenHandle(path))
        {
            RandomAccess.Read(f, bytes, block);
        }

        Qcow2RefcountBlock.Set(bytes, Header.RefcountOrder, (int)(cluster % perBlock), value);
        WriteBytes(block, bytes);
    }

    private static Qcow2Header ReadHeader(string path)
    {
        var data = File.ReadAllBytes(path);
        return Qcow2Header.Parse(data.AsSpan(0, Math.Min(data.Length, 2 << 20)), data.Length);
    }
}
