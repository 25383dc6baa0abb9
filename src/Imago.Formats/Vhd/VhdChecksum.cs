namespace Imago.Formats.Vhd;

/// <summary>The checksum of footer and dynamic header: one's complement of the byte sum, checksum field excluded.</summary>
internal static class VhdChecksum
{
    public static uint Compute(ReadOnlySpan<byte> structure, int checksumOffset)
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
}
