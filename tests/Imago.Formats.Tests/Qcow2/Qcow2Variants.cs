using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Qcow2;

/// <summary>
/// The qcow2 variants the tests build with qemu-img and qemu-io: every option the issue lists, each with
/// patterns at scattered offsets so that data, zero and unallocated ranges alternate.
/// </summary>
public static class Qcow2Variants
{
    private const long MiB = 1 << 20;

    /// <summary>Virtual size that is not a multiple of any cluster size above 512 B.</summary>
    public const long OddSize = 33 * MiB + 1536;

    public sealed record Variant(string Name, string CreateOptions, long Size, string[] Commands, string? CompressWith = null);

    public static readonly Variant[] All =
    [
        new("v2-64k", "compat=0.10", 16 * MiB, Scattered(16 * MiB)),
        new("v3-64k", "compat=1.1", 16 * MiB, Scattered(16 * MiB)),
        new("v3-512", "cluster_size=512", 16 * MiB, Scattered(16 * MiB)),
        new("v2-512", "compat=0.10,cluster_size=512", 16 * MiB, Scattered(16 * MiB)),
        new("v3-2M", "cluster_size=2M", 16 * MiB, Scattered(16 * MiB)),
        new("refcount1", "refcount_bits=1", 16 * MiB, Scattered(16 * MiB)),
        new("refcount64", "refcount_bits=64", 16 * MiB, Scattered(16 * MiB)),
        new("refcount64-512", "refcount_bits=64,cluster_size=512", 16 * MiB, Scattered(16 * MiB)),
        new("zero-clusters", "compat=1.1", 16 * MiB, [.. Scattered(16 * MiB), "write -z 64k 128k", "write -z -u 1M 64k", "write -z 12M 1M"]),
        new("lazy-refcounts", "lazy_refcounts=on", 16 * MiB, Scattered(16 * MiB)),
        new("odd-size", "compat=1.1", OddSize, Scattered(OddSize)),
        new("odd-size-v2", "compat=0.10", OddSize, Scattered(OddSize)),
        new("odd-size-2M", "cluster_size=2M", OddSize, Scattered(OddSize)),
        new("extended-l2", "extended_l2=on,cluster_size=64k", 16 * MiB, [.. Scattered(16 * MiB), .. Subclusters()]),
        new("extended-l2-2M", "extended_l2=on,cluster_size=2M", OddSize, [.. Scattered(OddSize), .. Subclusters()]),
        new("extended-l2-16k", "extended_l2=on,cluster_size=16k", 16 * MiB, [.. Scattered(16 * MiB), .. Subclusters16k()]),
        new("zlib", "compression_type=zlib", 16 * MiB, Scattered(16 * MiB), CompressWith: "zlib"),
        new("zstd", "compression_type=zstd", 16 * MiB, Scattered(16 * MiB), CompressWith: "zstd"),
        new("zlib-512", "compression_type=zlib,cluster_size=512", 16 * MiB, Scattered(16 * MiB), CompressWith: "zlib"),
        new("zstd-2M", "compression_type=zstd,cluster_size=2M", OddSize, Scattered(OddSize), CompressWith: "zstd"),
        new("zlib-v2", "compat=0.10", OddSize, Scattered(OddSize), CompressWith: "zlib"),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var v in All)
        {
            data.Add(v.Name);
        }

        return data;
    }

    public static Variant Get(string name) => All.Single(v => v.Name == name);

    /// <summary>
    /// Builds the variant in <paramref name="dir"/> and returns its path. Compressed variants are made
    /// the way users make them: qemu-io writes into a plain image, then qemu-img convert -c.
    /// </summary>
    public static string Build(TempDirectory dir, Variant v)
    {
        var path = dir.File(v.Name + ".qcow2");
        if (v.CompressWith is null)
        {
            QemuImg.Create(path, "qcow2", v.Size, v.CreateOptions);
            QemuImg.IoCommands(path, "qcow2", v.Commands);
            return path;
        }

        var plain = dir.File(v.Name + "-plain.raw");
        QemuImg.Create(plain, "raw", v.Size);
        QemuImg.IoCommands(plain, "raw", v.Commands);
        WriteRandom(plain, 3 * MiB + 4096, 300_000);
        QemuImg.Convert(plain, "raw", path, "qcow2", v.CreateOptions, compress: true);
        return path;
    }

    /// <summary>The oracle for a reader test: what qemu-img convert makes of <paramref name="qcow2Path"/> as raw.</summary>
    public static string QemuRaw(TempDirectory dir, string qcow2Path)
    {
        var raw = dir.File("expected.raw");
        QemuImg.Convert(qcow2Path, "qcow2", raw, "raw");
        return raw;
    }

    /// <summary>Patterns at scattered offsets, including ones crossing cluster boundaries and the last bytes.</summary>
    public static string[] Scattered(long size) =>
    [
        "write -P 0x11 0 64k",
        "write -P 0x22 1M 4k",
        "write -P 0x33 2560k 1536",
        $"write -P 0x44 {7 * MiB - 4096} 12k",
        "write -P 0x55 9M 2M",
        "write -P 0x00 11M 64k",
        $"write -P 0x66 {size - 1536} 1536",
        $"write -P 0x77 {size / 2 + 512} 512",
    ];

    /// <summary>Subcluster-sized writes for 64 KiB and 2 MiB clusters (2 KiB is a subcluster of 64 KiB).</summary>
    public static string[] Subclusters() =>
    [
        "write -P 0x81 4M 2k",
        "write -P 0x82 4196352 2k",
        "write -P 0x83 4259840 6k",
        "write -z 4268032 2k",
        "write -P 0x84 13M 64k",
        "write -z 13M 4k",
        "write -z 14M 2k",
    ];

    /// <summary>Subcluster-sized writes for 16 KiB clusters (512 B subclusters).</summary>
    public static string[] Subclusters16k() =>
    [
        "write -P 0x91 4M 512",
        "write -P 0x92 4195328 1024",
        "write -z 4196352 512",
        "write -P 0x93 5M 16k",
        "write -z 5M 512",
    ];

    /// <summary>Incompressible bytes (seeded) so that compressed images also hold clusters stored as is.</summary>
    public static void WriteRandom(string rawPath, long offset, int length)
    {
        var data = new byte[length];
        new Random(1234).NextBytes(data);
        using var handle = File.OpenHandle(rawPath, FileMode.Open, FileAccess.Write);
        RandomAccess.Write(handle, data, offset);
    }
}
