using System.Text;

namespace Imago.Core.Images.DiskBuilding;

/// <summary>
/// The 8.3 directory-entry name for a file name: the name itself when it fits 8.3 (lower case kept through the
/// Windows NT case flags), otherwise a unique <c>BASIS~N.EXT</c> with a VFAT long name next to it.
/// </summary>
internal readonly record struct ShortName(byte[] Bytes, byte CaseFlags, bool NeedsLongName)
{
    private const byte LowerBase = 0x08;
    private const byte LowerExtension = 0x10;
    private const string Allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'()-@^_`{}~";

    public static ShortName For(string name, HashSet<string> usedInDirectory)
    {
        var dot = name.LastIndexOf('.');
        var (basePart, extension) = dot > 0 ? (name[..dot], name[(dot + 1)..]) : (name, "");
        if (Fits(basePart, 8) && Fits(extension, 3) && SingleCase(basePart) && SingleCase(extension)
            && usedInDirectory.Add(Key(basePart, extension)))
        {
            var flags = (byte)((IsLower(basePart) ? LowerBase : 0) | (IsLower(extension) ? LowerExtension : 0));
            return new ShortName(Pack(basePart, extension), flags, NeedsLongName: false);
        }

        // Mixed case that still fits 8.3 keeps its upper-cased name (as Windows does: "System32" -> SYSTEM32).
        if (Fits(basePart, 8) && Fits(extension, 3) && usedInDirectory.Add(Key(basePart, extension)))
        {
            return new ShortName(Pack(basePart, extension), 0, NeedsLongName: true);
        }

        var basis = Clean(basePart);
        var ext = Clean(extension);
        ext = ext.Length > 3 ? ext[..3] : ext;
        for (var n = 1; n < 1_000_000; n++)
        {
            var tail = "~" + n;
            var candidate = (basis.Length > 8 - tail.Length ? basis[..(8 - tail.Length)] : basis) + tail;
            if (usedInDirectory.Add(Key(candidate, ext)))
            {
                return new ShortName(Pack(candidate, ext), 0, NeedsLongName: true);
            }
        }

        throw new InvalidOperationException("no free short name");
    }

    /// <summary>The checksum each long-name entry carries of its short name (the VFAT rotate-and-add).</summary>
    public static byte Checksum(byte[] name11)
    {
        byte sum = 0;
        foreach (var b in name11)
        {
            sum = (byte)((((sum & 1) != 0) ? 0x80 : 0) + (sum >> 1) + b);
        }

        return sum;
    }

    private static bool Fits(string part, int max) =>
        part.Length <= max && part.All(c => Allowed.Contains(char.ToUpperInvariant(c), StringComparison.Ordinal));

    private static bool SingleCase(string part) => part == part.ToUpperInvariant() || part == part.ToLowerInvariant();

    private static bool IsLower(string part) => part.Any(char.IsAsciiLetter) && part == part.ToLowerInvariant();

    private static string Clean(string part)
    {
        var cleaned = new StringBuilder();
        foreach (var c in part.ToUpperInvariant())
        {
            if (Allowed.Contains(c, StringComparison.Ordinal))
            {
                cleaned.Append(c);
            }
            else if (c is not (' ' or '.'))
            {
                cleaned.Append('_');
            }
        }

        return cleaned.Length == 0 ? "_" : cleaned.ToString();
    }

    private static string Key(string basePart, string extension) => (basePart + "." + extension).ToUpperInvariant();

    private static byte[] Pack(string basePart, string extension) =>
        Encoding.ASCII.GetBytes(basePart.ToUpperInvariant().PadRight(8) + extension.ToUpperInvariant().PadRight(3));
}
