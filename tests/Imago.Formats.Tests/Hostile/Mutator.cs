using System.Buffers.Binary;

namespace Imago.Formats.Tests.Hostile;

/// <summary>
/// Deterministic structure-aware mutations of a seed image: bit flips, bytes set to 0x00/0xFF/0x7F/0x80, 32- and
/// 64-bit big-endian fields overwritten with boundary values at header offsets, and truncations. Offsets favour
/// the metadata (the first sectors, the qcow2 tables, the VHD footer, header and BAT) where parsers are tested.
/// </summary>
public sealed class Mutator(byte[] seed, int randomSeed, IReadOnlyList<(long Offset, int Length)> hotRegions)
{
    private static readonly byte[] InterestingBytes = [0x00, 0xFF, 0x7F, 0x80, 0x01];

    private readonly Random _random = new(randomSeed);

    public byte[] Next()
    {
        var data = (byte[])seed.Clone();
        var count = 1 + _random.Next(3);
        for (var i = 0; i < count && data.Length > 0; i++)
        {
            switch (_random.Next(10))
            {
                case 0 or 1 or 2:
                    data[HotOffset(data.Length)] ^= (byte)(1 << _random.Next(8));
                    break;
                case 3 or 4:
                    data[HotOffset(data.Length)] = InterestingBytes[_random.Next(InterestingBytes.Length)];
                    break;
                case 5 or 6:
                    WriteField(data, 8);
                    break;
                case 7:
                    WriteField(data, 4);
                    break;
                case 8:
                    return data.AsSpan(0, _random.Next(data.Length)).ToArray();
                default:
                    data[_random.Next(data.Length)] = (byte)_random.Next(256);
                    break;
            }
        }

        return data;
    }

    private void WriteField(byte[] data, int width)
    {
        var offset = HotOffset(data.Length) & ~(width - 1);
        if (offset + width > data.Length)
        {
            return;
        }

        var length = (ulong)data.Length;
        ulong[] values =
        [
            0, 1, ulong.MaxValue, long.MaxValue, 1UL << 63, 1UL << 40, 1UL << 32, uint.MaxValue, length, length - 1,
            length + 1, length / 2, 512, 65536, 0xFFFF_FFFF_FFFF_FE00UL, (ulong)_random.NextInt64(),
        ];
        var value = values[_random.Next(values.Length)];
        if (width == 8)
        {
            BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(offset), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(offset), (uint)value);
        }
    }

    private int HotOffset(int length)
    {
        if (hotRegions.Count > 0 && _random.Next(10) < 8)
        {
            var (start, size) = hotRegions[_random.Next(hotRegions.Count)];
            var offset = start + _random.Next(Math.Max(1, size));
            if (offset < length)
            {
                return (int)offset;
            }
        }

        return _random.Next(length);
    }

    /// <summary>The metadata regions of a qcow2 or VHD seed, read from its own header.</summary>
    public static IReadOnlyList<(long, int)> HotRegionsOf(byte[] image)
    {
        var regions = new List<(long, int)> { (0, Math.Min(image.Length, 1024)) };
        if (image.Length >= 512)
        {
            regions.Add((image.Length - 512, 512));
        }

        if (image.Length >= 72 && ImageBytes.ReadBe32(image, 0) == 0x514649FB)
        {
            var l1 = (long)ImageBytes.ReadBe64(image, 40);
            var rt = (long)ImageBytes.ReadBe64(image, 48);
            regions.Add((l1, 64));
            regions.Add((rt, 64));
            if (l1 + 8 <= image.Length)
            {
                var l2 = (long)(ImageBytes.ReadBe64(image, l1) & 0x00FF_FFFF_FFFF_FE00UL);
                if (l2 > 0 && l2 < image.Length)
                {
                    regions.Add((l2, 256));
                }

                var rb = rt + 8 <= image.Length ? (long)ImageBytes.ReadBe64(image, rt) : 0;
                if (rb > 0 && rb < image.Length)
                {
                    regions.Add((rb, 64));
                }
            }
        }
        else if (image.AsSpan().StartsWith("conectix"u8) && image.Length >= 2048)
        {
            regions.Add((512, 1024));   // dynamic header
            regions.Add((1536, 512));   // BAT
            regions.Add((2048, 512));   // first block bitmap
        }

        return regions;
    }
}
