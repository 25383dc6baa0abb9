using System.Buffers.Binary;

namespace Imago.Formats.Tests.Hostile;

/// <summary>Byte surgery on image files: copies with one field changed, with VHD checksums kept valid or not.</summary>
public static class ImageBytes
{
    public static byte[] With(this byte[] data, Action<byte[]> edit)
    {
        var copy = (byte[])data.Clone();
        edit(copy);
        return copy;
    }

    public static byte[] Truncate(this byte[] data, int length) => data.AsSpan(0, length).ToArray();

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static void Be32(byte[] d, long offset, uint value) => BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan((int)offset), value);

    public static void Be64(byte[] d, long offset, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(d.AsSpan((int)offset), value);

    public static uint ReadBe32(byte[] d, long offset) => BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan((int)offset));

    public static ulong ReadBe64(byte[] d, long offset) => BinaryPrimitives.ReadUInt64BigEndian(d.AsSpan((int)offset));

    /// <summary>The VHD checksum: one's complement of the byte sum, the checksum field itself excluded.</summary>
    public static uint VhdChecksum(ReadOnlySpan<byte> structure, int checksumOffset)
    {
        uint sum = 0;
        for (var i = 0; i < structure.Length; i++)
        {
            if (i < checksumOffset || i >= checksumOffset + 4)
            {
                sum += structure[i];
            }
        }

        return ~sum;
    }

    /// <summary>Recomputes the footer checksum of the 512-byte footer at <paramref name="offset"/>.</summary>
    public static void FixVhdFooter(byte[] d, int offset) =>
        Be32(d, offset + 64, VhdChecksum(d.AsSpan(offset, 512), 64));

    /// <summary>Recomputes the checksum of the 1024-byte dynamic header at <paramref name="offset"/>.</summary>
    public static void FixVhdHeader(byte[] d, int offset) =>
        Be32(d, offset + 36, VhdChecksum(d.AsSpan(offset, 1024), 36));

    /// <summary>Edits both VHD footer copies (start and end) and keeps their checksums valid.</summary>
    public static byte[] WithVhdFooters(this byte[] data, Action<byte[], int> edit) => data.With(d =>
    {
        foreach (var at in new[] { 0, d.Length - 512 })
        {
            if (d.AsSpan(at, 8).SequenceEqual("conectix"u8))
            {
                edit(d, at);
                FixVhdFooter(d, at);
            }
        }
    });
}
