using System.Buffers.Binary;
using System.Text.Json;
using Imago.Formats.IO;
using Imago.Formats.Tests.Infrastructure;
using Imago.Formats.Vhd;

namespace Imago.Formats.Tests.Vhd;

/// <summary>Helpers shared by the VHD tests: qemu-made images, footer patching, map comparison.</summary>
internal static class VhdTestFiles
{
    public const int FooterSize = 512;

    /// <summary>qemu-img create -f vpc with the given -o options, then qemu-io pattern writes at scattered offsets.</summary>
    public static long CreateWithPattern(string path, long size, string options)
    {
        QemuImg.Create(path, "vpc", size, options);
        var virtualSize = QemuVirtualSize(path);
        var commands = new List<string>
        {
            "write -P 0xab 0 4k",
            "write -P 0x5c 1049088 1536", // 1 MiB + 512: inside the first block, not 4 KiB aligned
        };
        if (virtualSize > 4 * 1024 * 1024)
        {
            commands.Add("write -P 0x77 2096640 1024"); // straddles the first 2 MiB block boundary
        }

        if (virtualSize > 40 * 1024 * 1024)
        {
            commands.Add("write -P 0x31 41943552 65536"); // far away, leaving unallocated blocks between
        }

        commands.Add($"write -P 0xee {virtualSize - 512} 512"); // the last sector
        QemuImg.IoCommands(path, "vpc", [.. commands]);
        return virtualSize;
    }

    public static long QemuVirtualSize(string path, string format = "vpc")
    {
        using var info = QemuImg.Info(path, format);
        return info.RootElement.GetProperty("virtual-size").GetInt64();
    }

    public static int? QemuClusterSize(string path)
    {
        using var info = QemuImg.Info(path, "vpc");
        return info.RootElement.TryGetProperty("cluster-size", out var c) ? c.GetInt32() : null;
    }

    public static async Task<VhdDiskImage> OpenAsync(string path) =>
        await VhdDiskImage.OpenImageAsync(FileByteSource.Open(path), CancellationToken.None);

    /// <summary>
    /// Rewrites the footer (at the end, and the copy at offset 0 for a dynamic disk) after <paramref name="patch"/>
    /// changed it, with the checksum recomputed the way the specification defines it.
    /// </summary>
    public static void PatchFooter(string path, Action<byte[]> patch, bool fixChecksum = true)
    {
        using var file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        var footer = new byte[FooterSize];
        file.Position = file.Length - FooterSize;
        file.ReadExactly(footer);
        var head = new byte[FooterSize];
        file.Position = 0;
        file.ReadExactly(head);
        var dynamic = head.AsSpan(0, 8).SequenceEqual("conectix"u8);
        patch(footer);
        if (fixChecksum)
        {
            SetChecksum(footer, 64);
        }

        file.Position = file.Length - FooterSize;
        file.Write(footer);
        if (dynamic)
        {
            file.Position = 0;
            file.Write(footer);
        }
    }

    /// <summary>One's complement of the byte sum with the checksum field zeroed (VHD specification).</summary>
    public static void SetChecksum(byte[] structure, int checksumOffset)
    {
        BinaryPrimitives.WriteUInt32BigEndian(structure.AsSpan(checksumOffset), 0);
        uint sum = 0;
        foreach (var b in structure)
        {
            sum += b;
        }

        BinaryPrimitives.WriteUInt32BigEndian(structure.AsSpan(checksumOffset), ~sum);
    }

    public static List<JsonElement> QemuMap(string path)
    {
        var output = QemuImg.Run("map", "-f", "vpc", "--output", "json", path).EnsureSuccess("qemu-img map").StdOut;
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
