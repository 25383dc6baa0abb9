using System.Globalization;
using System.Text.Json;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Guest;

/// <summary>
/// Builds small real disks: a directory tree made into an ext2/3/4 or FAT image by mke2fs -d / mkfs.fat + mtools,
/// placed into partitions that sfdisk created. Partition sizes are in MiB; disks stay a few MiB.
/// </summary>
internal sealed class GuestDiskBuilder(TempDirectory temp)
{
    public const string UbuntuOsRelease = """
        PRETTY_NAME="Ubuntu 22.04.3 LTS"
        NAME="Ubuntu"
        VERSION_ID="22.04"
        VERSION="22.04.3 LTS (Jammy Jellyfish)"
        ID=ubuntu
        ID_LIKE=debian

        """;

    public const string CentOsRelease = """
        NAME="CentOS Linux"
        VERSION="7 (Core)"
        ID="centos"
        VERSION_ID="7"
        PRETTY_NAME="CentOS Linux 7 (Core)"

        """;

    private int _counter;

    /// <summary>A root tree with /usr/lib/os-release and /etc/os-release -> ../usr/lib/os-release, as real distributions have it.</summary>
    public string RootTree(string osRelease = UbuntuOsRelease, string? etcLink = "../usr/lib/os-release")
    {
        var root = Next("root");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        Directory.CreateDirectory(Path.Combine(root, "usr", "lib"));
        File.WriteAllText(Path.Combine(root, "usr", "lib", "os-release"), osRelease);
        File.WriteAllText(Path.Combine(root, "etc", "hostname"), "guest\n");
        if (etcLink is not null)
        {
            File.CreateSymbolicLink(Path.Combine(root, "etc", "os-release"), etcLink);
        }

        return root;
    }

    /// <summary>mke2fs -t TYPE -d ROOT: an ext file system image of <paramref name="sizeMiB"/> MiB.</summary>
    public string Ext(string root, string type = "ext4", int sizeMiB = 6, params string[] options)
    {
        var image = Next(type + ".img");
        GuestTools.Run("mke2fs", ["-q", "-F", "-t", type, .. options, "-d", root, image, $"{sizeMiB}M"]);
        return image;
    }

    /// <summary>mkfs.fat of <paramref name="sizeMiB"/> MiB (FAT bits 12, 16 or 32) with the given files copied in by mtools.</summary>
    public string Fat(int bits, int sizeMiB, params (string Path, string Content)[] files)
    {
        var image = Next($"fat{bits}.img");
        GuestTools.Run("mkfs.fat", "-C", "-s", "1", "-F", bits.ToString(CultureInfo.InvariantCulture), image, (sizeMiB * 1024).ToString(CultureInfo.InvariantCulture));
        var made = new HashSet<string>();
        foreach (var (path, content) in files)
        {
            var directory = "";
            foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries)[..^1])
            {
                directory += "/" + part;
                if (made.Add(directory))
                {
                    GuestTools.Run("mmd", "-i", image, "::" + directory);
                }
            }

            var local = Next("file");
            File.WriteAllText(local, content);
            GuestTools.Run("mcopy", "-i", image, local, "::" + path);
        }

        return image;
    }

    /// <summary>
    /// mkfs.xfs -p PROTO of 16 MiB, the prototype file listing <paramref name="root"/>'s directories, files and symlinks.
    /// </summary>
    public string Xfs(string root, params string[] options)
    {
        var image = Next("xfs.img");
        using (var file = File.Create(image))
        {
            file.SetLength(16L << 20);
        }

        var proto = new System.Text.StringBuilder("imago\n0 0\nd--755 0 0\n");
        AppendProto(proto, root);
        proto.Append("$\n");
        var protoFile = Next("proto");
        File.WriteAllText(protoFile, proto.ToString());
        GuestTools.Run("mkfs.xfs", ["-q", "-f", .. options, "-p", protoFile, image]);
        return image;
    }

    private static void AppendProto(System.Text.StringBuilder proto, string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.LinkTarget is { } target)
            {
                proto.Append(CultureInfo.InvariantCulture, $"{entry.Name} l--777 0 0 {target}\n");
            }
            else if (entry is DirectoryInfo)
            {
                proto.Append(CultureInfo.InvariantCulture, $"{entry.Name} d--755 0 0\n");
                AppendProto(proto, entry.FullName);
                proto.Append("$\n");
            }
            else
            {
                proto.Append(CultureInfo.InvariantCulture, $"{entry.Name} ---644 0 0 {entry.FullName}\n");
            }
        }
    }

    public string Swap(int sizeMiB)
    {
        var image = Next("swap.img");
        using (var file = File.Create(image))
        {
            file.SetLength(sizeMiB << 20);
        }

        GuestTools.Run("mkswap", image);
        return image;
    }

    /// <summary>
    /// A disk of <paramref name="sizeMiB"/> MiB partitioned by the sfdisk <paramref name="script"/>; the file system images are
    /// written into the partitions in order (null leaves a partition empty). Returns the disk's path.
    /// </summary>
    public string Disk(int sizeMiB, string script, params string?[] contents)
    {
        var disk = Next("disk.raw");
        using (var file = File.Create(disk))
        {
            file.SetLength((long)sizeMiB << 20);
        }

        GuestTools.Sfdisk(disk, script);
        var offsets = PartitionOffsets(disk);
        using var output = new FileStream(disk, FileMode.Open, FileAccess.Write);
        for (var i = 0; i < contents.Length; i++)
        {
            if (contents[i] is not { } content)
            {
                continue;
            }

            output.Position = offsets[i];
            using var input = File.OpenRead(content);
            input.CopyTo(output);
        }

        return disk;
    }

    /// <summary>A disk that is only the file system, no partition table.</summary>
    public static string WholeDisk(string fileSystemImage) => fileSystemImage;

    private static List<long> PartitionOffsets(string disk)
    {
        using var json = JsonDocument.Parse(GuestTools.Run("sfdisk", "--json", disk));
        var table = json.RootElement.GetProperty("partitiontable");
        var sectorSize = table.TryGetProperty("sectorsize", out var s) ? s.GetInt64() : 512;
        return table.GetProperty("partitions").EnumerateArray()
            .Where(p => p.GetProperty("type").GetString() is not ("5" or "f" or "85"))
            .Select(p => p.GetProperty("start").GetInt64() * sectorSize).ToList();
    }

    private string Next(string name) => temp.File($"{Interlocked.Increment(ref _counter)}-{name}");
}
