using System.Buffers.Binary;
using static Imago.Formats.Qcow2.Qcow2Constants;

namespace Imago.Formats.Qcow2;

/// <summary>One header extension (type, data) found after the header in cluster 0.</summary>
internal sealed record Qcow2HeaderExtension(uint Type, int Offset, int Length)
{
    /// <summary>
    /// Walks the extensions from the end of the header to the end-of-extensions marker, within cluster 0.
    /// Refuses an external data file name and a full-disk-encryption header whatever the feature bits say.
    /// </summary>
    public static IReadOnlyList<Qcow2HeaderExtension> ReadAll(ReadOnlySpan<byte> cluster0, Qcow2Header header)
    {
        var list = new List<Qcow2HeaderExtension>();
        var end = Math.Min(cluster0.Length, header.ClusterSize);
        var pos = header.HeaderLength;
        while (pos + 8 <= end)
        {
            var type = BinaryPrimitives.ReadUInt32BigEndian(cluster0[pos..]);
            var length = BinaryPrimitives.ReadUInt32BigEndian(cluster0[(pos + 4)..]);
            if (type == ExtensionEnd)
            {
                break;
            }

            var dataStart = pos + 8;
            if (length > (uint)(end - dataStart))
            {
                throw ImageFormatException.Corrupt(ImageFormat.Qcow2,
                    $"header extension 0x{type:x8} of {length} bytes runs past cluster 0");
            }

            switch (type)
            {
                case ExtensionExternalDataFile:
                    throw ImageFormatException.Unsafe(ImageFormat.Qcow2, "it names an external data file");
                case ExtensionFullDiskEncryption:
                    throw ImageFormatException.Unsafe(ImageFormat.Qcow2, "it carries an encryption header");
            }

            list.Add(new Qcow2HeaderExtension(type, dataStart, (int)length));
            if (list.Count > 4096)
            {
                throw ImageFormatException.Corrupt(ImageFormat.Qcow2, "too many header extensions");
            }

            pos = dataStart + (int)((length + 7) & ~7u);
        }

        return list;
    }
}
