using static Imago.Formats.Tests.Hostile.ImageBytes;

namespace Imago.Formats.Tests.Hostile;

/// <summary>
/// The deterministic hostile corpus: every case is derived from qemu-img-made seeds or from the specifications,
/// with the outcome the inspector owes it. Groups keep test output readable and let the fuzz seeds reuse them.
/// </summary>
public static class HostileCorpus
{
    private const ImageErrorKind Truncated = ImageErrorKind.Truncated;
    private const ImageErrorKind Corrupt = ImageErrorKind.Corrupt;
    private const ImageErrorKind Unsafe = ImageErrorKind.Unsafe;
    private const ImageErrorKind Unsupported = ImageErrorKind.UnsupportedFormat;
    private const ImageErrorKind TooLarge = ImageErrorKind.TooLarge;
    private const ImageErrorKind Ambiguous = ImageErrorKind.Ambiguous;
    private const ImageErrorKind Mismatch = ImageErrorKind.FormatMismatch;

    public static readonly string[] Groups =
    [
        "accepted", "qcow2-truncation", "qcow2-header", "qcow2-tables", "qcow2-l2", "vhd-truncation", "vhd-structure",
        "os-test-images", "refused-formats", "polyglots", "mbr-gpt", "declared-format",
    ];

    private static readonly Lazy<IReadOnlyList<SeedImage>> AcceptedSeeds = new(QemuSeeds.Accepted);
    private static readonly Lazy<IReadOnlyDictionary<string, byte[]>> RefusedSeeds = new(QemuSeeds.Refused);

    public static IReadOnlyList<SeedImage> Seeds => AcceptedSeeds.Value;

    public static SeedImage Seed(string name) => AcceptedSeeds.Value.Single(s => s.Name == name);

    public static IEnumerable<HostileCase> Group(string group) => group switch
    {
        "accepted" => AcceptedCases(),
        "qcow2-truncation" => Qcow2Truncations(),
        "qcow2-header" => Qcow2HeaderFields(),
        "qcow2-tables" => Qcow2Tables(),
        "qcow2-l2" => Qcow2MappingDamage(),
        "vhd-truncation" => VhdTruncations(),
        "vhd-structure" => VhdStructure(),
        "os-test-images" => OsTestImages(),
        "refused-formats" => RefusedFormats(),
        "polyglots" => Polyglots(),
        "mbr-gpt" => PartitionTables(),
        "declared-format" => DeclaredFormats(),
        _ => throw new ArgumentOutOfRangeException(nameof(group)),
    };

    public static IEnumerable<HostileCase> All() => Groups.SelectMany(Group);

    private static IEnumerable<HostileCase> AcceptedCases()
    {
        foreach (var s in Seeds)
        {
            yield return HostileCase.Accepted("accepted", s.Name, s.Data, s.Format, s.VirtualSize);
        }

        // A dirty image (lazy refcounts left stale) only needs its refcounts rebuilt; reads are sound.
        var v3 = Seed("qcow2-v3");
        yield return HostileCase.Accepted("accepted", "qcow2-dirty", v3.Data.With(d => d[79] |= 0x01), ImageFormat.Qcow2, v3.VirtualSize);
    }

    /// <summary>Every cut inside the header area and at each cluster boundary of qcow2 v2 and v3.</summary>
    private static IEnumerable<HostileCase> Qcow2Truncations()
    {
        foreach (var name in new[] { "qcow2-v2", "qcow2-v3", "qcow2-extended-l2" })
        {
            var data = Seed(name).Data;
            var cuts = Enumerable.Range(0, 1024).Concat(Enumerable.Range(1, data.Length / 65536).SelectMany(c => new[] { (c * 65536) - 1, c * 65536, (c * 65536) + 1 }))
                .Where(n => n < data.Length).Distinct();
            // Once the header, L1 and refcount tables are whole, what is cut is data the reader must refuse.
            var clusterSize = 1L << (int)ReadBe32(data, 20);
            var tablesEnd = Math.Max((long)ReadBe64(data, 40) + (ReadBe32(data, 36) * 8L), (long)ReadBe64(data, 48) + (ReadBe32(data, 56) * clusterSize));
            foreach (var n in cuts)
            {
                var cut = data.Truncate(n);
                yield return n < 4 ? HostileCase.Either("qcow2-truncation", $"{name}-cut-{n}", cut, ImageFormat.Raw)
                    : n < tablesEnd ? HostileCase.Refused("qcow2-truncation", $"{name}-cut-{n}", cut, Truncated)
                    : HostileCase.Either("qcow2-truncation", $"{name}-cut-{n}", cut, ImageFormat.Qcow2);
            }
        }
    }

    private static IEnumerable<HostileCase> Qcow2HeaderFields()
    {
        const string G = "qcow2-header";
        var v3 = Seed("qcow2-v3").Data;
        var v2 = Seed("qcow2-v2").Data;
        HostileCase R(string name, byte[] data, ImageErrorKind kind) => HostileCase.Refused(G, name, data, kind);

        yield return R("version-1", v3.With(d => Be32(d, 4, 1)), Unsupported);
        yield return R("version-4", v3.With(d => Be32(d, 4, 4)), Unsupported);
        yield return R("version-max", v3.With(d => Be32(d, 4, uint.MaxValue)), Unsupported);
        yield return R("backing-offset", v3.With(d => { Be64(d, 8, 0x200); Be32(d, 16, 10); }), Unsafe);
        yield return R("backing-offset-past-end", v3.With(d => Be64(d, 8, ulong.MaxValue)), Unsafe);
        yield return R("v2-backing-offset", v2.With(d => Be64(d, 8, 0x200)), Unsafe);
        yield return R("cluster-bits-8", v3.With(d => Be32(d, 20, 8)), Corrupt);
        yield return R("cluster-bits-22", v3.With(d => Be32(d, 20, 22)), Corrupt);
        yield return R("cluster-bits-63", v3.With(d => Be32(d, 20, 63)), Corrupt);
        yield return R("cluster-bits-max", v3.With(d => Be32(d, 20, uint.MaxValue)), Corrupt);
        yield return R("size-65TiB", v3.With(d => Be64(d, 24, 65UL << 40)), TooLarge);
        yield return R("size-max", v3.With(d => Be64(d, 24, ulong.MaxValue)), TooLarge);
        yield return R("size-sign-bit", v3.With(d => Be64(d, 24, 1UL << 63)), TooLarge);
        yield return R("size-needs-more-l1", v3.With(d => Be64(d, 24, 1UL << 40)), Corrupt);
        yield return R("crypt-aes", v3.With(d => Be32(d, 32, 1)), Unsupported);
        yield return R("crypt-luks", v3.With(d => Be32(d, 32, 2)), Unsupported);
        yield return R("incompat-corrupt", v3.With(d => d[79] |= 0x02), Corrupt);
        yield return R("incompat-data-file", v3.With(d => d[79] |= 0x04), Unsafe);
        yield return R("incompat-bit-5", v3.With(d => d[79] |= 0x20), Unsafe);
        yield return R("incompat-bit-63", v3.With(d => d[72] |= 0x80), Unsafe);
        yield return R("incompat-compression-without-zstd", v3.With(d => d[79] |= 0x08), Corrupt);
        yield return R("zstd-without-incompat-bit", v3.With(d => d[104] = 1), Corrupt);
        yield return R("compression-type-2", v3.With(d => { d[104] = 2; d[79] |= 0x08; }), Unsupported);
        yield return R("extended-l2-small-clusters", Seed("qcow2-c512").Data.With(d => d[79] |= 0x10), Corrupt);
        yield return R("autoclear-raw-external", v3.With(d => d[95] |= 0x02), Unsafe);
        yield return R("refcount-order-7", v3.With(d => Be32(d, 96, 7)), Corrupt);
        yield return R("refcount-order-max", v3.With(d => Be32(d, 96, uint.MaxValue)), Corrupt);
        yield return R("header-length-72", v3.With(d => Be32(d, 100, 72)), Corrupt);
        yield return R("header-length-0", v3.With(d => Be32(d, 100, 0)), Corrupt);
        yield return R("header-length-past-cluster", v3.With(d => Be32(d, 100, 65536 + 8)), Corrupt);
        yield return R("header-length-max", v3.With(d => Be32(d, 100, uint.MaxValue)), Corrupt);

        // Header extensions follow the 112-byte header qemu writes (the feature name table is first).
        var ext = 112;
        yield return R("ext-data-file", v3.With(d => { Be32(d, ext, 0x44415441); Be32(d, ext + 4, 10); }), Unsafe);
        yield return R("ext-backing-format", v3.With(d => { Be32(d, ext, 0xE2792ACA); Be32(d, ext + 4, 3); }), Unsafe);
        yield return R("ext-encryption", v3.With(d => { Be32(d, ext, 0x0537BE77); Be32(d, ext + 4, 16); }), Unsupported);
        yield return R("ext-length-past-cluster", v3.With(d => Be32(d, ext + 4, 0x10000)), Corrupt);
        yield return R("ext-length-max", v3.With(d => Be32(d, ext + 4, uint.MaxValue)), Corrupt);
        yield return R("ext-data-file-after-unknown", v3.With(d =>
        {
            Be32(d, ext, 0x12345678); Be32(d, ext + 4, 8); Be32(d, ext + 16, 0x44415441); Be32(d, ext + 20, 4);
        }), Unsafe);
    }

    private static IEnumerable<HostileCase> Qcow2Tables()
    {
        const string G = "qcow2-tables";
        var v3 = Seed("qcow2-v3").Data;
        HostileCase R(string name, byte[] data, ImageErrorKind kind) => HostileCase.Refused(G, name, data, kind);

        yield return R("l1-size-huge", v3.With(d => Be32(d, 36, uint.MaxValue)), TooLarge);
        yield return R("l1-size-past-32MiB", v3.With(d => Be32(d, 36, (32u << 20) / 8 + 1)), TooLarge);
        yield return R("l1-size-past-end", v3.With(d => Be32(d, 36, 1u << 20)), Truncated);
        yield return R("l1-size-zero", v3.With(d => Be32(d, 36, 0)), Corrupt);
        yield return R("l1-offset-past-end", v3.With(d => Be64(d, 40, 1UL << 40)), Truncated);
        yield return R("l1-offset-max", v3.With(d => Be64(d, 40, ulong.MaxValue & ~0xFFFFUL)), Truncated);
        yield return R("l1-offset-unaligned", v3.With(d => Be64(d, 40, ReadBe64(d, 40) + 8)), Corrupt);
        yield return R("l1-offset-in-header", v3.With(d => Be64(d, 40, 0)), Corrupt);
        yield return R("refcount-clusters-huge", v3.With(d => Be32(d, 56, uint.MaxValue)), TooLarge);
        yield return R("refcount-clusters-past-8MiB", v3.With(d => Be32(d, 56, 129)), TooLarge);
        yield return R("refcount-clusters-past-end", v3.With(d => Be32(d, 56, 100)), Truncated);
        yield return R("refcount-clusters-zero", v3.With(d => Be32(d, 56, 0)), Corrupt);
        yield return R("refcount-offset-past-end", v3.With(d => Be64(d, 48, 1UL << 50)), Truncated);
        yield return R("refcount-offset-unaligned", v3.With(d => Be64(d, 48, 0x10200)), Corrupt);
        yield return R("refcount-offset-in-header", v3.With(d => Be64(d, 48, 0)), Corrupt);
        yield return R("snapshots-huge", v3.With(d => { Be32(d, 60, uint.MaxValue); Be64(d, 64, 0x10000); }), TooLarge);
        yield return R("snapshots-past-end", v3.With(d => { Be32(d, 60, 60000); Be64(d, 64, 0x10000); }), Truncated);
        yield return R("snapshots-offset-past-end", v3.With(d => { Be32(d, 60, 1); Be64(d, 64, 1UL << 45); }), Truncated);
        yield return R("snapshots-offset-unaligned", v3.With(d => { Be32(d, 60, 1); Be64(d, 64, 0x10001); }), Corrupt);
    }

    /// <summary>
    /// Damage below the header (L1/L2 entries, compressed descriptors) that only a reader walking the tables can
    /// see. The inspector may accept these; the full-pipeline test requires a refusal or a bounded read.
    /// </summary>
    private static IEnumerable<HostileCase> Qcow2MappingDamage()
    {
        const string G = "qcow2-l2";
        foreach (var name in new[] { "qcow2-v3", "qcow2-zlib-compressed", "qcow2-zstd", "qcow2-extended-l2", "qcow2-c512" })
        {
            var seed = Seed(name).Data;
            var l1 = (long)ReadBe64(seed, 40);
            var l2 = (long)(ReadBe64(seed, l1) & 0x00FF_FFFF_FFFF_FE00UL);
            var clusterBits = (int)ReadBe32(seed, 20);
            var entry = name.Contains("extended", StringComparison.Ordinal) ? 16 : 8;
            HostileCase E(string what, Action<byte[]> edit) => HostileCase.Either(G, $"{name}-{what}", seed.With(edit), ImageFormat.Qcow2);

            yield return E("l1-entry-past-end", d => Be64(d, l1, (1UL << 63) | (1UL << 40)));
            yield return E("l1-entry-unaligned", d => Be64(d, l1, (1UL << 63) | (ulong)(l2 + 512 + 8)));
            yield return E("l1-entry-reserved-bits", d => Be64(d, l1, ReadBe64(d, l1) | 0x1FF));
            yield return E("l1-entry-to-header", d => Be64(d, l1, 1UL << 63));
            yield return E("l1-entry-to-l1-cycle", d => Be64(d, l1, (1UL << 63) | (ulong)(l1 & ~((1L << clusterBits) - 1))));
            yield return E("l1-entry-to-refcount-table", d => Be64(d, l1, (1UL << 63) | ReadBe64(d, 48)));
            yield return E("l2-entry-past-end", d => Be64(d, l2, (1UL << 63) | (1UL << 40)));
            yield return E("l2-entry-max", d => Be64(d, l2, ulong.MaxValue));
            yield return E("l2-entry-to-header", d => Be64(d, l2, 1UL << 63));
            yield return E("l2-entry-to-l2-itself", d => Be64(d, l2, (1UL << 63) | (ulong)l2));
            yield return E("l2-entries-overlap", d => { Be64(d, l2 + entry, ReadBe64(d, l2)); Be64(d, l2 + (2 * entry), ReadBe64(d, l2)); });
            yield return E("l2-entry-unaligned", d => Be64(d, l2, (1UL << 63) | (ReadBe64(d, l2) & 0x00FF_FFFF_FFFF_FE00UL) + 512 + 16));
            yield return E("l2-compressed-past-end", d => Be64(d, l2, (1UL << 62) | (1UL << 40)));
            yield return E("l2-compressed-huge-size", d => Be64(d, l2, (1UL << 62) | (ReadBe64(d, l2) & ((1UL << 62) - 1)) | (((1UL << 62) - 1) & ~((1UL << (62 - (clusterBits - 8))) - 1))));
            yield return E("l2-compressed-garbage", d => Be64(d, l2, (1UL << 62) | 0x200));
            yield return E("l2-compressed-zero-bit", d => Be64(d, l2, ReadBe64(d, l2) | 1));
            if (entry == 16)
            {
                yield return E("subcluster-alloc-and-zero", d => Be64(d, l2 + 8, 0x0000_0001_0000_0001UL));
                yield return E("subcluster-bits-without-cluster", d => { Be64(d, l2, 0); Be64(d, l2 + 8, 0xFFFF_FFFFUL); });
            }
        }
    }

    /// <summary>Every cut inside the footer copy, dynamic header and BAT of a dynamic VHD; the footer of a fixed one.</summary>
    private static IEnumerable<HostileCase> VhdTruncations()
    {
        const string G = "vhd-truncation";
        var dynamic = Seed("vhd-dynamic").Data;
        var batEnd = 1536 + 512;
        for (var n = 0; n < batEnd; n++)
        {
            yield return n < 8
                ? HostileCase.Either(G, $"dynamic-cut-{n}", dynamic.Truncate(n), ImageFormat.Raw)
                : HostileCase.Refused(G, $"dynamic-cut-{n}", dynamic.Truncate(n), Truncated);
        }

        // Cutting into the first data block (or its bitmap) leaves a BAT entry pointing past the end.
        foreach (var n in new[] { batEnd, batEnd + 511, batEnd + 512, dynamic.Length - 1024, dynamic.Length - 513 })
        {
            yield return HostileCase.Refused(G, $"dynamic-cut-{n}", dynamic.Truncate(n), Truncated);
        }

        // The trailing footer copy is not needed once the copy at 0 is sound (qemu does not read it either).
        for (var k = 1; k <= 512; k += 37)
        {
            yield return HostileCase.Either(G, $"dynamic-cut-footer-{k}", dynamic.Truncate(dynamic.Length - k), ImageFormat.Vhd);
        }

        // A fixed disk cut inside its only footer is indistinguishable from raw data: it must be raw or refused.
        var fixedDisk = Seed("vhd-fixed").Data;
        for (var k = 1; k <= 512; k++)
        {
            yield return HostileCase.Either(G, $"fixed-cut-footer-{k}", fixedDisk.Truncate(fixedDisk.Length - k), ImageFormat.Raw);
        }

        // A fixed disk whose data was cut but whose footer survived.
        yield return HostileCase.Refused(G, "fixed-data-cut", Concat(fixedDisk.AsSpan(0, 4096).ToArray(), fixedDisk.AsSpan(fixedDisk.Length - 512).ToArray()), Truncated);
    }

    private static IEnumerable<HostileCase> VhdStructure()
    {
        const string G = "vhd-structure";
        var dynamic = Seed("vhd-dynamic").Data;
        var fixedDisk = Seed("vhd-fixed").Data;
        const int H = 512; // dynamic header offset in qemu's layout
        const int Bat = 1536;
        HostileCase R(string name, byte[] data, ImageErrorKind kind) => HostileCase.Refused(G, name, data, kind);
        byte[] Header(Action<byte[]> edit, bool fix = true) => dynamic.With(d => { edit(d); if (fix) { FixVhdHeader(d, H); } });

        yield return R("footer-checksum", dynamic.With(d => d[64] ^= 0x01), Corrupt);
        yield return R("footer-checksum-field-bit", dynamic.With(d => d[40] ^= 0x80), Corrupt);
        yield return R("fixed-footer-checksum", fixedDisk.With(d => d[d.Length - 512 + 64] ^= 0x01), Corrupt);
        yield return R("fixed-footer-size-bit", fixedDisk.With(d => d[d.Length - 512 + 50] ^= 0x01), Corrupt);
        yield return R("footer-type-0", dynamic.WithVhdFooters((d, at) => Be32(d, at + 60, 0)), Corrupt);
        yield return R("footer-type-5", dynamic.WithVhdFooters((d, at) => Be32(d, at + 60, 5)), Corrupt);
        yield return R("differencing", dynamic.WithVhdFooters((d, at) => Be32(d, at + 60, 4)), Unsupported);
        yield return R("fixed-as-differencing", fixedDisk.WithVhdFooters((d, at) => Be32(d, at + 60, 4)), Unsupported);
        yield return R("fixed-typed-dynamic-at-end", fixedDisk.WithVhdFooters((d, at) => Be32(d, at + 60, 3)), Corrupt);
        // A 512-byte file is an empty fixed disk (what our writer makes for size 0); other types need more sectors.
        var emptyFixed = fixedDisk.AsSpan(fixedDisk.Length - 512).ToArray().With(d =>
        {
            Be64(d, 40, 0); Be64(d, 48, 0); Be32(d, 56, 0); FixVhdFooter(d, 0);
        });
        yield return HostileCase.Accepted(G, "empty-fixed-disk", emptyFixed, ImageFormat.Vhd, 0);
        yield return R("lone-fixed-footer-with-size", fixedDisk.AsSpan(fixedDisk.Length - 512).ToArray(), Truncated);
        yield return R("lone-dynamic-footer", dynamic.AsSpan(0, 512).ToArray(), Truncated);
        yield return R("footer-copies-disagree", dynamic.With(d => { Be32(d, d.Length - 512 + 60, 2); FixVhdFooter(d, d.Length - 512); }), Corrupt);
        yield return R("fixed-footer-at-start", fixedDisk.With(d => fixedDisk.AsSpan(fixedDisk.Length - 512).CopyTo(d)), Corrupt);
        yield return R("size-past-2040GiB", dynamic.WithVhdFooters((d, at) => { "win "u8.CopyTo(d.AsSpan(at + 28)); Be64(d, at + 48, 4UL << 40); }), TooLarge);
        yield return R("size-max", dynamic.WithVhdFooters((d, at) => { "qem2"u8.CopyTo(d.AsSpan(at + 28)); Be64(d, at + 48, ulong.MaxValue); }), TooLarge);
        yield return R("fixed-size-past-file", fixedDisk.WithVhdFooters((d, at) => { "win "u8.CopyTo(d.AsSpan(at + 28)); Be64(d, at + 48, 1UL << 30); }), Truncated);
        yield return R("data-offset-past-end", dynamic.WithVhdFooters((d, at) => Be64(d, at + 16, 1UL << 40)), Truncated);
        yield return R("data-offset-max", dynamic.WithVhdFooters((d, at) => Be64(d, at + 16, ulong.MaxValue)), Truncated);
        yield return R("data-offset-zero", dynamic.WithVhdFooters((d, at) => Be64(d, at + 16, 0)), Corrupt);
        yield return R("header-cookie", Header(d => d[H] = (byte)'X'), Corrupt);
        yield return R("header-checksum", Header(d => d[H + 36] ^= 1, fix: false), Corrupt);
        yield return R("header-field-no-checksum", Header(d => d[H + 33] ^= 1, fix: false), Corrupt);
        yield return R("block-size-0", Header(d => Be32(d, H + 32, 0)), Corrupt);
        yield return R("block-size-not-power-of-two", Header(d => Be32(d, H + 32, 3 << 20)), Corrupt);
        yield return R("block-size-256", Header(d => Be32(d, H + 32, 256)), Corrupt);
        yield return R("block-size-2GiB", Header(d => Be32(d, H + 32, 1u << 31)), TooLarge);
        yield return R("bat-too-small", Header(d => Be32(d, H + 28, 0)), Corrupt);
        yield return R("bat-entries-huge", Header(d => Be32(d, H + 28, uint.MaxValue)), Truncated);
        yield return R("bat-offset-past-end", Header(d => Be64(d, H + 16, 1UL << 40)), Truncated);
        yield return R("bat-offset-max", Header(d => Be64(d, H + 16, ulong.MaxValue)), Truncated);
        yield return R("bat-offset-zero", Header(d => Be64(d, H + 16, 0)), Corrupt);
        yield return R("bat-entry-past-end", dynamic.With(d => Be32(d, Bat, 0x7FFFFFFF)), Truncated);
        yield return R("bat-entry-max-minus-one", dynamic.With(d => Be32(d, Bat, 0xFFFFFFFE)), Truncated);
        yield return R("bat-entry-last-past-end", dynamic.With(d => Be32(d, Bat, (uint)(d.Length / 512))), Truncated);
        yield return R("bat-entry-on-footer", dynamic.With(d => Be32(d, Bat, 0)), Corrupt);
        yield return R("bat-entry-on-header", dynamic.With(d => Be32(d, Bat, 1)), Corrupt);
        yield return R("bat-entry-on-bat", dynamic.With(d => Be32(d, Bat, 3)), Corrupt);

    }

    /// <summary>openstack/os-test-images, regenerated from manifest.yaml's recipes.</summary>
    private static IEnumerable<HostileCase> OsTestImages()
    {
        const string G = "os-test-images";
        var r = RefusedSeeds.Value;
        yield return HostileCase.Accepted(G, "standard-qcow2v3", Seed("qcow2-v3").Data, ImageFormat.Qcow2, Seed("qcow2-v3").VirtualSize);
        yield return HostileCase.Refused(G, "qcow-with-backing", r["qcow-with-backing"], Unsafe);
        yield return HostileCase.Refused(G, "qcow-with-datafile", r["qcow-with-datafile"], Unsafe);
        yield return HostileCase.Accepted(G, "raw-blank", Seed("raw-all-zero").Data, ImageFormat.Raw, QemuSeeds.SmallSize);
        yield return HostileCase.Accepted(G, "gpt-blank", CraftedImages.GptDisk(), ImageFormat.Raw, 1024 * 1024);
        yield return HostileCase.Refused(G, "standard-qed", r["qed"], Unsupported);
        yield return HostileCase.Refused(G, "standard-iso9660", CraftedImages.Iso9660(), Unsupported);
        yield return HostileCase.Refused(G, "standard-udf", CraftedImages.Udf(), Unsupported);
        yield return HostileCase.Refused(G, "iso-with-qcow2-in-system",
            CraftedImages.Iso9660().With(d => r["qcow2-for-iso"].AsSpan(0, 32 * 1024).CopyTo(d)), Ambiguous);
        yield return HostileCase.Refused(G, "udf-with-qcow2-in-system",
            CraftedImages.Udf().With(d => r["qcow2-for-iso"].AsSpan(0, 32 * 1024).CopyTo(d)), Ambiguous);
        yield return HostileCase.Refused(G, "vmdk-monolithicSparse", r["vmdk-monolithicSparse"], Unsupported);
        yield return HostileCase.Refused(G, "vmdk-streamOptimized", r["vmdk-streamOptimized"], Unsupported);
        yield return HostileCase.Refused(G, "vmdk-monolithicFlat", r["vmdk-monolithicFlat"], Unsafe);
        yield return HostileCase.Refused(G, "vmdk-monolithicFlat-leak", r["vmdk-monolithicFlat-leak"], Unsafe);
        yield return HostileCase.Refused(G, "vmdk-sparse-with-url-backing", r["vmdk-sparse-with-url-backing"], Unsafe);
        yield return HostileCase.Refused(G, "vmdk-sparse-with-footer", r["vmdk-sparse-with-footer"], Unsupported);
    }

    private static IEnumerable<HostileCase> RefusedFormats()
    {
        const string G = "refused-formats";
        var r = RefusedSeeds.Value;
        yield return HostileCase.Refused(G, "vhdx", r["vhdx"], Unsupported);
        yield return HostileCase.Refused(G, "vdi", r["vdi"], Unsupported);
        yield return HostileCase.Refused(G, "qed", r["qed"], Unsupported);
        yield return HostileCase.Refused(G, "luks1", r["luks"], Unsupported);
        yield return HostileCase.Refused(G, "luks2", r["luks"].With(d => { d[6] = 0; d[7] = 2; }), Unsupported);
        yield return HostileCase.Refused(G, "vmdk-text-descriptor-with-path",
            "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\nRW 2048 FLAT \"/dev/sda\" 0\n"u8.ToArray(), Unsafe);
        yield return HostileCase.Refused(G, "vmdk-sparse-truncated", r["vmdk-monolithicSparse"].Truncate(40), Unsupported);
        yield return HostileCase.Refused(G, "vmdk-descriptor-offset-huge",
            r["vmdk-monolithicSparse"].With(d => BitConverter.GetBytes(ulong.MaxValue).CopyTo(d, 28)), Unsupported);
        yield return HostileCase.Refused(G, "vmdk-descriptor-size-huge",
            r["vmdk-monolithicSparse"].With(d => BitConverter.GetBytes(ulong.MaxValue).CopyTo(d, 36)), Unsupported);
    }

    /// <summary>One header hidden in another: two formats at once must be refused (oslo's multiple-match rule).</summary>
    private static IEnumerable<HostileCase> Polyglots()
    {
        const string G = "polyglots";
        var r = RefusedSeeds.Value;
        var qcow2 = Seed("qcow2-v3").Data;
        var fixedFooter = Seed("vhd-fixed").Data.AsSpan(Seed("vhd-fixed").Data.Length - 512).ToArray();
        yield return HostileCase.Refused(G, "qcow2-with-fixed-vhd-footer", Concat(qcow2, fixedFooter), Ambiguous);
        yield return HostileCase.Refused(G, "vdi-with-fixed-vhd-footer", Concat(r["vdi"], fixedFooter), Ambiguous);
        yield return HostileCase.Refused(G, "fixed-vhd-holding-qcow2", Seed("vhd-fixed").Data.With(d => qcow2.AsSpan(0, 4096).CopyTo(d)), Ambiguous);
        yield return HostileCase.Refused(G, "qcow2-with-mbr-signature", qcow2.With(d => { d[510] = 0x55; d[511] = 0xAA; }), Ambiguous);
        yield return HostileCase.Refused(G, "dynamic-vhd-with-mbr-signature",
            Seed("vhd-dynamic").Data.WithVhdFooters((d, at) => { d[at + 510] = 0x55; d[at + 511] = 0xAA; }), Ambiguous);
        yield return HostileCase.Refused(G, "iso-with-gpt", CraftedImages.Iso9660().With(d => CraftedImages.GptDisk(64 * 1024).AsSpan(0, 32 * 1024).CopyTo(d)), Unsupported);
        yield return HostileCase.Refused(G, "iso-with-fixed-vhd-footer", Concat(CraftedImages.Iso9660(), fixedFooter), Ambiguous);
        yield return HostileCase.Refused(G, "qed-with-iso", CraftedImages.Iso9660().With(d => r["qed"].AsSpan(0, 4096).CopyTo(d)), Ambiguous);
        yield return HostileCase.Accepted(G, "fixed-vhd-holding-gpt-disk",
            Concat(CraftedImages.GptDisk(), fixedFooter.With(f => { Be64(f, 40, 1 << 20); Be64(f, 48, 1 << 20); "win "u8.CopyTo(f.AsSpan(28)); FixVhdFooter(f, 0); })),
            ImageFormat.Vhd, 1024 * 1024);
    }

    private static IEnumerable<HostileCase> PartitionTables()
    {
        const string G = "mbr-gpt";
        var gpt = CraftedImages.GptDisk();
        yield return HostileCase.Accepted(G, "gpt", gpt, ImageFormat.Raw, gpt.Length);
        yield return HostileCase.Accepted(G, "mbr-two-partitions", new byte[1 << 20].With(d =>
        {
            d[446] = 0x80; d[450] = 0x83; BitConverter.GetBytes(2048u).CopyTo(d, 454); BitConverter.GetBytes(1024u).CopyTo(d, 458);
            d[466] = 0x82; BitConverter.GetBytes(1024u).CopyTo(d, 470); BitConverter.GetBytes(1024u).CopyTo(d, 474);
            d[510] = 0x55; d[511] = 0xAA;
        }), ImageFormat.Raw, 1 << 20);
        yield return HostileCase.Accepted(G, "fat-boot-sector-not-an-mbr", new byte[1 << 16].With(d =>
        {
            d[0x10] = 2; d[0x15] = 0xF8; d[446] = 0x33; d[510] = 0x55; d[511] = 0xAA;
        }), ImageFormat.Raw, 1 << 16);
        yield return HostileCase.Refused(G, "mbr-bad-boot-flag", gpt.With(d => d[446] = 0x12), Corrupt);
        yield return HostileCase.Refused(G, "mbr-no-partitions", gpt.With(d => d[450] = 0), Corrupt);
        yield return HostileCase.Refused(G, "protective-not-at-lba-1", gpt.With(d => d[454] = 2), Corrupt);
        yield return HostileCase.Refused(G, "protective-bad-chs", gpt.With(d => d[448] = 3), Corrupt);
        yield return HostileCase.Refused(G, "protective-with-another-partition", gpt.With(d => { d[466] = 0x83; d[470] = 0x22; }), Corrupt);
    }

    /// <summary>A declared format the content contradicts is refused (OSSA-2024-002: "raw" that is really qcow2).</summary>
    private static IEnumerable<HostileCase> DeclaredFormats()
    {
        const string G = "declared-format";
        var r = RefusedSeeds.Value;
        var qcow2 = Seed("qcow2-v3");
        var raw = Seed("raw");
        yield return HostileCase.Refused(G, "raw-declared-qcow2-content", qcow2.Data, Mismatch, ImageFormat.Raw);
        yield return HostileCase.Refused(G, "raw-declared-qcow2-with-backing", r["qcow-with-backing"], Mismatch, ImageFormat.Raw);
        yield return HostileCase.Refused(G, "raw-declared-vmdk-flat-leak", r["vmdk-monolithicFlat-leak"], Mismatch, ImageFormat.Raw);
        yield return HostileCase.Refused(G, "raw-declared-fixed-vhd", Seed("vhd-fixed").Data, Mismatch, ImageFormat.Raw);
        yield return HostileCase.Refused(G, "qcow2-declared-raw-content", raw.Data, Mismatch, ImageFormat.Qcow2);
        yield return HostileCase.Refused(G, "vhd-declared-qcow2-content", qcow2.Data, Mismatch, ImageFormat.Vhd);
        yield return HostileCase.Refused(G, "qcow2-declared-iso", CraftedImages.Iso9660(), Mismatch, ImageFormat.Qcow2);
        yield return HostileCase.Refused(G, "vmdk-declared-vmdk", r["vmdk-monolithicSparse"], Unsupported, ImageFormat.Vmdk);
        yield return HostileCase.Accepted(G, "qcow2-declared-qcow2", qcow2.Data, ImageFormat.Qcow2, qcow2.VirtualSize, ImageFormat.Qcow2);
        yield return HostileCase.Accepted(G, "vhd-declared-fixed-vhd", Seed("vhd-fixed").Data, ImageFormat.Vhd, Seed("vhd-fixed").VirtualSize, ImageFormat.Vhd);
        yield return HostileCase.Accepted(G, "raw-declared-raw", raw.Data, ImageFormat.Raw, raw.VirtualSize, ImageFormat.Raw);
    }
}
