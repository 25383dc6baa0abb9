using System.Security.Cryptography;
using System.Text;
using Imago.Core.Images.PublicCatalog;
using Imago.Formats;

namespace Imago.Core.Images.DiskBuilding;

/// <summary>
/// The small genuine disk that stands in for a public image (docs/public-images.md): the listed virtual size, a
/// partition table (MBR for BIOS images, GPT for UEFI ones) and one FAT32 filesystem holding the OS marker file
/// (<c>/etc/os-release</c>, or a Windows product/build marker). Deterministic: the same definition always gives
/// the same bytes (ids, serials and timestamps derive from the image id and its release date), so the block store
/// dedupes the disk across regions and restarts. Sparse: only a few dozen sectors are not zero.
/// </summary>
public static class MarkerDisk
{
    private const long GiB = 1024L * 1024 * 1024;

    /// <summary>The disk as a raw image (zero regions reported as zero extents, never stored).</summary>
    public static IDiskImage Build(PublicImageDefinition definition)
    {
        var disk = new SparseSectorImage(definition.SizeGiB * GiB);
        var (firstLba, sectors) = definition.UsesGpt
            ? PartitionTable.WriteGpt(disk, DerivedGuid(definition, "disk"), DerivedGuid(definition, "partition"), "Imago marker")
            : PartitionTable.WriteMbr(disk, DerivedUInt32(definition, "mbr"));

        var volume = new Fat32Volume(definition.OSType == "windows" ? "WINDOWS" : "ROOT", DerivedUInt32(definition, "volume"), definition.ReleaseDate);
        volume.AddFile(definition.MarkerPath, Encoding.UTF8.GetBytes(definition.MarkerText));
        volume.WriteTo(disk, firstLba, sectors);
        return disk;
    }

    private static byte[] Hash(PublicImageDefinition definition, string purpose) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"imago-public-image/{definition.ImageId}/{purpose}"));

    private static uint DerivedUInt32(PublicImageDefinition definition, string purpose) => BitConverter.ToUInt32(Hash(definition, purpose));

    /// <summary>A random-looking (version 4 shaped) GUID that is the same on every run.</summary>
    private static Guid DerivedGuid(PublicImageDefinition definition, string purpose)
    {
        var bytes = Hash(definition, purpose)[..16];
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (the field is little-endian in Guid's byte order)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }
}
