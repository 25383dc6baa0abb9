using System.Text;
using Imago.Formats.Tests.Hostile;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Fuzz;

/// <summary>
/// Writes a small starting corpus per target: tiny qemu-img images (512-byte clusters, 64 KiB disks, so AFL's
/// mutations stay cheap) and the small files of the hostile corpus.
/// </summary>
public static class Seeds
{
    private const int MaxSeedSize = 128 * 1024;

    public static void Write(string root)
    {
        var qcow2 = new Dictionary<string, byte[]>();
        var vhd = new Dictionary<string, byte[]>();
        using (var dir = new TempDirectory())
        {
            void Make(Dictionary<string, byte[]> into, string name, string format, string options, params string[] io)
            {
                var path = dir.File(name);
                QemuImg.Create(path, format, 64 * 1024, options);
                if (io.Length > 0)
                {
                    QemuImg.IoCommands(path, format, io);
                }

                into[name] = File.ReadAllBytes(path);
            }

            Make(qcow2, "v3.qcow2", "qcow2", "cluster_size=512", "write -P 0xab 0 1k", "write -z 8k 1k");
            Make(qcow2, "v2.qcow2", "qcow2", "cluster_size=512,compat=0.10", "write -P 0xab 4k 1k");
            Make(qcow2, "zstd.qcow2", "qcow2", "cluster_size=512,compression_type=zstd", "write -c -P 0x5a 0 512");
            Make(qcow2, "zlib.qcow2", "qcow2", "cluster_size=512", "write -c -P 0x5a 0 512");
            Make(qcow2, "extl2.qcow2", "qcow2", "cluster_size=16k,extended_l2=on", "write -P 0xab 2k 2k");
            Make(qcow2, "refcount1.qcow2", "qcow2", "cluster_size=512,refcount_bits=1", "write -P 0xab 0 512");
            Make(vhd, "dynamic.vhd", "vpc", "subformat=dynamic");
            Make(vhd, "fixed.vhd", "vpc", "subformat=fixed", "write -P 0xab 0 4k");
            Make(vhd, "force.vhd", "vpc", "subformat=dynamic,force_size=on");
        }

        var small = HostileCorpus.All().Where(c => c.Data.Length is > 0 and <= MaxSeedSize)
            .GroupBy(c => c.Group).SelectMany(g => g.Where((_, i) => i % 40 == 0).Take(6)).ToList();

        WriteAll(Path.Combine(root, "inspect"), qcow2.Concat(vhd).Concat(small.Select(c => KeyValuePair.Create(c.Name, c.Data))));
        WriteAll(Path.Combine(root, "qcow2"), qcow2);
        WriteAll(Path.Combine(root, "qcow2-check"), qcow2);
        WriteAll(Path.Combine(root, "vhd"), vhd);
        WriteAll(Path.Combine(root, "vhd-check"), vhd);
        WriteAll(Path.Combine(root, "options"), new[] { "cluster_size=64k,compression_type=zstd", "subformat=fixed,force_size", "cluster_size=2M" }
            .Select((s, i) => KeyValuePair.Create($"options-{i}", Encoding.UTF8.GetBytes(s))));
    }

    private static void WriteAll(string directory, IEnumerable<KeyValuePair<string, byte[]>> files)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, data) in files)
        {
            File.WriteAllBytes(Path.Combine(directory, name), data);
        }
    }
}
