using System.Text;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Hostile;

/// <summary>An image made by qemu-img (the oracle), with the virtual size qemu-img info reports for it.</summary>
public sealed record SeedImage(string Name, ImageFormat Format, byte[] Data, long VirtualSize);

/// <summary>
/// Builds the qemu-img-made images the corpus starts from, including the os-test-images recipes
/// (openstack/os-test-images manifest.yaml), regenerated here rather than copied. Sizes stay small
/// (about 1 MiB virtual) so that a full read of every corpus file stays cheap.
/// </summary>
public static class QemuSeeds
{
    public const long SmallSize = 1024 * 1024;

    /// <summary>Valid images of every variant the inspector must accept, with qemu-img info's virtual size.</summary>
    public static IReadOnlyList<SeedImage> Accepted() => Build(dir =>
    {
        var list = new List<SeedImage>();
        void Qcow2(string name, string? options, long size = SmallSize, bool compressedWrite = false)
        {
            var path = dir.File(name + ".qcow2");
            QemuImg.Create(path, "qcow2", size, options);
            var write = compressedWrite ? "write -c -P 0xab 0 64k" : "write -P 0xab 0 64k";
            QemuImg.IoCommands(path, "qcow2", write, "write -P 0xcd 512k 4k", "write -z 768k 64k");
            list.Add(Seed(name, ImageFormat.Qcow2, path, "qcow2"));
        }

        void Vhd(string name, string options, long size = SmallSize)
        {
            var path = dir.File(name + ".vhd");
            QemuImg.Create(path, "vpc", size, options);
            QemuImg.IoCommands(path, "vpc", "write -P 0xab 0 64k", "write -P 0xcd 512k 4k");
            list.Add(Seed(name, ImageFormat.Vhd, path, "vpc"));
        }

        Qcow2("qcow2-v2", "compat=0.10");
        Qcow2("qcow2-v3", "compat=1.1");
        Qcow2("qcow2-c512", "cluster_size=512");
        Qcow2("qcow2-c2M", "cluster_size=2M");
        Qcow2("qcow2-refcount1", "refcount_bits=1");
        Qcow2("qcow2-refcount64", "refcount_bits=64");
        Qcow2("qcow2-extended-l2", "extended_l2=on,cluster_size=64k");
        Qcow2("qcow2-zstd", "compression_type=zstd", compressedWrite: true);
        Qcow2("qcow2-zlib-compressed", null, compressedWrite: true);
        Qcow2("qcow2-lazy-refcounts", "lazy_refcounts=on");
        Qcow2("qcow2-odd-size", null, size: 1_000_001);
        Qcow2("qcow2-prealloc-metadata", "preallocation=metadata");

        // Internal snapshots (a snapshot table) and a persistent bitmap (bitmaps extension, autoclear bit 0).
        var snap = dir.File("snapshot.qcow2");
        QemuImg.Create(snap, "qcow2", SmallSize);
        QemuImg.IoCommands(snap, "qcow2", "write -P 0x01 0 64k");
        QemuImg.Run("snapshot", "-c", "s1", "--image-opts", $"driver=qcow2,file.filename={snap}").EnsureSuccess("qemu-img snapshot");
        QemuImg.IoCommands(snap, "qcow2", "write -P 0x02 0 4k");
        list.Add(Seed("qcow2-snapshot", ImageFormat.Qcow2, snap, "qcow2"));
        var bitmap = dir.File("bitmap.qcow2");
        QemuImg.Create(bitmap, "qcow2", SmallSize);
        QemuImg.Run("bitmap", "-f", "qcow2", "--add", bitmap, "b0").EnsureSuccess("qemu-img bitmap");
        QemuImg.IoCommands(bitmap, "qcow2", "write -P 0x03 64k 64k");
        list.Add(Seed("qcow2-bitmap", ImageFormat.Qcow2, bitmap, "qcow2"));
        Vhd("vhd-dynamic", "subformat=dynamic");
        Vhd("vhd-fixed", "subformat=fixed");
        Vhd("vhd-dynamic-force-size", "subformat=dynamic,force_size=on");
        Vhd("vhd-fixed-force-size", "subformat=fixed,force_size=on");
        Vhd("vhd-fixed-odd-size", "subformat=fixed", size: 1_000_001);

        var raw = dir.File("raw.img");
        QemuImg.Create(raw, "raw", SmallSize);
        QemuImg.IoCommands(raw, "raw", "write -P 0x11 4k 4k");
        list.Add(Seed("raw", ImageFormat.Raw, raw, "raw"));
        var blank = dir.File("raw-blank.img");
        QemuImg.Create(blank, "raw", SmallSize);
        list.Add(Seed("raw-all-zero", ImageFormat.Raw, blank, "raw"));
        var empty = dir.File("raw-empty.img");
        QemuImg.Create(empty, "raw", 0);
        list.Add(Seed("raw-empty", ImageFormat.Raw, empty, "raw"));
        return list;
    });

    /// <summary>Images of refused formats made by qemu-img, and the os-test-images recipes.</summary>
    public static IReadOnlyDictionary<string, byte[]> Refused() => Build(dir =>
    {
        var map = new Dictionary<string, byte[]>();
        byte[] Make(string name, string format, string? options, long size = 10 * 1024 * 1024)
        {
            var path = dir.File(name);
            QemuImg.Create(path, format, size, options);
            return File.ReadAllBytes(path);
        }

        map["vmdk-monolithicSparse"] = Make("sparse.vmdk", "vmdk", "subformat=monolithicSparse");
        map["vmdk-streamOptimized"] = Make("stream.vmdk", "vmdk", "subformat=streamOptimized");
        map["vhdx"] = Make("d.vhdx", "vhdx", null);
        map["vdi"] = Make("d.vdi", "vdi", null);
        map["qed"] = Make("d.qed", "qed", null);

        map["luks"] = MakeLuks(dir.File("d.luks"));

        // os-test-images: qcow-with-backing (qemu-img create -f qcow2 -F raw -b /etc/hosts).
        var backed = dir.File("backing.qcow2");
        QemuImg.Run("create", "-q", "-f", "qcow2", "-F", "raw", "-b", "/etc/hosts", backed, "10M").EnsureSuccess("qemu-img create backing");
        map["qcow-with-backing"] = File.ReadAllBytes(backed);

        // os-test-images: qcow-with-datafile (data_file=..., data_file_raw=on, then the data file removed).
        var withData = dir.File("datafile.qcow2");
        QemuImg.Create(withData, "qcow2", 10 * 1024 * 1024, $"data_file={dir.File("qcow-data-file")},data_file_raw=on");
        map["qcow-with-datafile"] = File.ReadAllBytes(withData);

        // os-test-images: vmdk-monolithicFlat and its leak variant (the extent renamed to /etc/hosts).
        var flat = dir.File("flat.vmdk");
        QemuImg.Create(flat, "vmdk", 10 * 1024 * 1024, "subformat=monolithicFlat");
        map["vmdk-monolithicFlat"] = File.ReadAllBytes(flat);
        map["vmdk-monolithicFlat-leak"] = Encoding.ASCII.GetBytes(File.ReadAllText(flat).Replace("flat-flat.vmdk", "/etc/hosts"));

        // os-test-images: vmdk-sparse-with-url-backing (descriptor sector 1 names /etc/hosts as the extent).
        map["vmdk-sparse-with-url-backing"] = map["vmdk-monolithicSparse"].With(d =>
        {
            var sector = Encoding.ASCII.GetString(d, 512, 512).Replace("sparse.vmdk", "/etc/hosts");
            Encoding.ASCII.GetBytes(sector).CopyTo(d.AsSpan(512)); // sed shortened it; dd conv=notrunc keeps the rest
        });

        // os-test-images: vmdk-sparse-with-footer (footerify_vmdk: gdOffset = GD_AT_END, header copy as footer).
        map["vmdk-sparse-with-footer"] = FooterifyVmdk(map["vmdk-monolithicSparse"]);

        // A qcow2 header cluster the iso-with-qcow2-in-system recipe copies over an ISO's system area.
        map["qcow2-for-iso"] = Make("tmp.qcow2", "qcow2", null);
        return map;
    });

    /// <summary>
    /// qemu-img's LUKS creation benchmarks the PBKDF and fails now and then on a loaded machine ("Unable to get
    /// accurate CPU usage"): retry a few times, then fall back to a LUKS1 header written from the specification.
    /// </summary>
    private static byte[] MakeLuks(string path)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var r = QemuImg.Run("create", "-q", "-f", "luks", "--object", "secret,id=sec0,data=imago-test",
                "-o", "key-secret=sec0,iter-time=200", path, "1M");
            if (r.ExitCode == 0)
            {
                return File.ReadAllBytes(path);
            }
        }

        return CraftedImages.Luks1();
    }

    private static byte[] FooterifyVmdk(byte[] sparse)
    {
        var header = sparse.AsSpan(0, 512).ToArray();
        var result = new byte[sparse.Length + (3 * 512)];
        sparse.CopyTo(result, 0);
        BitConverter.GetBytes(ulong.MaxValue).CopyTo(result, 56);
        BitConverter.GetBytes(3u).CopyTo(result, result.Length - (3 * 512) + 12);
        header.CopyTo(result, result.Length - (2 * 512));
        return result;
    }

    private static SeedImage Seed(string name, ImageFormat format, string path, string qemuFormat)
    {
        using var info = QemuImg.Info(path, qemuFormat);
        return new SeedImage(name, format, File.ReadAllBytes(path), info.RootElement.GetProperty("virtual-size").GetInt64());
    }

    private static T Build<T>(Func<TempDirectory, T> make)
    {
        using var dir = new TempDirectory();
        return make(dir);
    }
}
