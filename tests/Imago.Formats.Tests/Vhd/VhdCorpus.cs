using System.Buffers.Binary;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Vhd;

/// <summary>
/// Small qemu-made VHDs held in memory, and the offsets of their structures (qemu's layout: footer copy at 0,
/// dynamic header at 512, BAT at 1536), for crafting damaged variants.
/// </summary>
internal static class VhdCorpus
{
    public const int HeaderOffset = 512;
    public const int BatOffset = 1536;

    /// <summary>An 8 MiB dynamic disk with data in blocks 0 and 2 (block 1 and 3 unallocated).</summary>
    public static byte[] Dynamic()
    {
        using var dir = new TempDirectory();
        var path = dir.File("d.vhd");
        QemuImg.Create(path, "vpc", 8L * 1024 * 1024, "subformat=dynamic,force_size=on");
        QemuImg.IoCommands(path, "vpc", "write -P 0xab 0 64k", "write -P 0xcd 4M 64k");
        return File.ReadAllBytes(path);
    }

    /// <summary>A 4 MiB fixed disk with some data.</summary>
    public static byte[] Fixed()
    {
        using var dir = new TempDirectory();
        var path = dir.File("f.vhd");
        QemuImg.Create(path, "vpc", 4L * 1024 * 1024, "subformat=fixed,force_size=on");
        QemuImg.IoCommands(path, "vpc", "write -P 0xab 0 64k");
        return File.ReadAllBytes(path);
    }

    public static uint BatEntry(byte[] image, int index) =>
        BinaryPrimitives.ReadUInt32BigEndian(image.AsSpan(BatOffset + index * 4));

    public static void SetBatEntry(byte[] image, int index, uint value) =>
        BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(BatOffset + index * 4), value);

    /// <summary>Changes the dynamic header and (unless told not to) fixes its checksum.</summary>
    public static void PatchHeader(byte[] image, Action<byte[]> patch, bool fixChecksum = true)
    {
        var header = image.AsSpan(HeaderOffset, 1024).ToArray();
        patch(header);
        if (fixChecksum)
        {
            VhdTestFiles.SetChecksum(header, 36);
        }

        header.CopyTo(image, HeaderOffset);
    }

    /// <summary>Changes both footers of a dynamic disk (or the one of a fixed disk) and fixes the checksum.</summary>
    public static void PatchFooters(byte[] image, Action<byte[]> patch, bool fixChecksum = true)
    {
        var footer = image.AsSpan(image.Length - 512).ToArray();
        var dynamic = image.AsSpan(0, 8).SequenceEqual("conectix"u8);
        patch(footer);
        if (fixChecksum)
        {
            VhdTestFiles.SetChecksum(footer, 64);
        }

        footer.CopyTo(image, image.Length - 512);
        if (dynamic)
        {
            footer.CopyTo(image, 0);
        }
    }
}
