using System.Text.Json;
using Imago.Formats.Checking;
using Imago.Formats.IO;
using Imago.Formats.Qcow2;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Qcow2;

/// <summary>Our checker against qemu-img check, on clean images and on images damaged on purpose.</summary>
public sealed class Qcow2CheckerTests
{
    public static TheoryData<string> Variants => Qcow2Variants.Names();

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task CleanImagesReportWhatQemuImgCheckReports(string variant)
    {
        using var dir = new TempDirectory();
        var path = Qcow2Variants.Build(dir, Qcow2Variants.Get(variant));
        var report = await CheckAsync(path);
        AssertSameAsQemu(path, report, compareStatistics: true);
        Assert.Equal(0, report.ExitCode);
    }

    [Fact]
    public async Task ImageWithInternalSnapshotIsClean()
    {
        using var dir = new TempDirectory();
        var path = Qcow2Variants.Build(dir, Qcow2Variants.Get("v3-64k"));
        QemuImg.Run("snapshot", "-c", "snap1", path).EnsureSuccess("qemu-img snapshot");
        QemuImg.IoCommands(path, "qcow2", "write -P 0xee 0 128k", "write -P 0xef 5M 64k");
        var report = await CheckAsync(path);
        AssertSameAsQemu(path, report, compareStatistics: true);
        Assert.Equal(0, report.ExitCode);

        // The reader reads the active L1 only.
        var raw = dir.File("active.raw");
        QemuImg.Convert(path, "qcow2", raw, "raw");
        await using var image = await Qcow2Open.FileAsync(path);
        await DiskAssert.EqualsRawFileAsync(image, raw);
    }

    public static TheoryData<string, string> Damages()
    {
        var data = new TheoryData<string, string>();
        foreach (var variant in new[] { "v3-64k", "refcount1", "refcount64-512", "extended-l2", "zlib" })
        {
            foreach (var damage in new[] { "leak-extra-cluster", "refcount-zero", "refcount-bump", "duplicate-mapping", "entry-past-end", "unaligned-entry", "reserved-bits", "l2-refcount-zero" })
            {
                if (variant == "refcount1" && damage == "refcount-bump")
                {
                    continue; // a 1-bit refcount cannot go above 1
                }

                data.Add(variant, damage);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task DamagedImagesReportWhatQemuImgCheckReports(string variant, string damage)
    {
        using var dir = new TempDirectory();
        var path = Qcow2Variants.Build(dir, Qcow2Variants.Get(variant));
        Damage(path, damage);

        var report = await CheckAsync(path);
        AssertSameAsQemu(path, report, compareStatistics: false);
        Assert.NotEqual(0, report.ExitCode);
    }

    [Fact]
    public async Task CheckOfOurOwnCompressedOutputMatchesQemu()
    {
        using var dir = new TempDirectory();
        var source = Qcow2Variants.Build(dir, Qcow2Variants.Get("odd-size"));
        var raw = dir.File("source.raw");
        QemuImg.Convert(source, "qcow2", raw, "raw");
        Qcow2Variants.WriteRandom(raw, 5L << 20, 700_000);
        var output = dir.File("ours.qcow2");
        await Qcow2WriterTests.WriteFromRawAsync(raw, output,
            new ImageCreateOptions { ClusterSize = 4096, Compress = true, CompressionType = CompressionType.Zstd }, everyByte: true);
        var report = await CheckAsync(output);
        AssertSameAsQemu(output, report, compareStatistics: true);
    }

    internal static async Task<CheckReport> CheckAsync(string path)
    {
        using var source = FileByteSource.Open(path);
        return await Qcow2Checker.CheckAsync(source, CancellationToken.None);
    }

    private static void AssertSameAsQemu(string path, CheckReport ours, bool compareStatistics)
    {
        var (exit, report) = QemuImg.Check(path, "qcow2");
        Assert.NotNull(report);
        var r = report.RootElement;
        var context = $"qemu: {r}\nours: corruptions={ours.Corruptions} leaks={ours.Leaks}\n{string.Join("\n", ours.Messages.Take(20))}";
        Assert.True(exit == ours.ExitCode, $"exit code differs\n{context}");
        Assert.True(Get(r, "corruptions") == ours.Corruptions, $"corruptions differ\n{context}");
        Assert.True(Get(r, "leaks") == ours.Leaks, $"leaks differ\n{context}");
        if (!compareStatistics)
        {
            return;
        }

        Assert.Equal(GetOrNull(r, "image-end-offset"), ours.ImageEndOffset);
        Assert.Equal(GetOrNull(r, "total-clusters"), ours.TotalClusters);
        Assert.Equal(GetOrNull(r, "allocated-clusters"), ours.AllocatedClusters);
        Assert.Equal(GetOrNull(r, "fragmented-clusters"), ours.FragmentedClusters);
        Assert.Equal(GetOrNull(r, "compressed-clusters"), ours.CompressedClusters);
    }

    private static long Get(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetInt64() : 0;

    private static long? GetOrNull(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetInt64() : null;

    private static void Damage(string path, string damage)
    {
        var s = new Qcow2Surgery(path);
        var cs = s.ClusterSize;
        var dataOrCompressed = s.DataEntries().Concat(s.CompressedEntries()).ToList();
        var data = s.DataEntries().ToList();
        switch (damage)
        {
            case "leak-extra-cluster":
            {
                // One more cluster at the end of the file with a refcount but no reference: a pure leak.
                var length = new FileInfo(path).Length;
                var cluster = (length + cs - 1) / cs;
                using (var f = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
                {
                    RandomAccess.SetLength(f, (cluster + 1) * cs);
                }

                s.SetRefcount(cluster, 1);
                break;
            }

            case "refcount-zero":
            {
                var (_, entry) = data.Count > 0 ? data[0] : dataOrCompressed[0];
                var host = HostOf(s, entry);
                s.SetRefcount(host / cs, 0);
                break;
            }

            case "refcount-bump":
            {
                var (_, entry) = data.Count > 0 ? data[0] : dataOrCompressed[0];
                var host = HostOf(s, entry);
                var max = s.Header.RefcountOrder == 0 ? 1UL : 3UL;
                s.SetRefcount(host / cs, max);
                break;
            }

            case "duplicate-mapping":
            {
                var (firstAt, first) = dataOrCompressed[0];
                var (secondAt, _) = dataOrCompressed[1];
                s.WriteU64(secondAt, first);
                if (s.Header.ExtendedL2)
                {
                    s.WriteU64(secondAt + 8, s.ReadU64(firstAt + 8));
                }

                break;
            }

            case "entry-past-end":
            {
                var (at, entry) = data.Count > 0 ? data[0] : dataOrCompressed[0];
                var far = (ulong)((new FileInfo(path).Length / cs + 100) * cs);
                s.WriteU64(at, (1UL << 63) | far);
                _ = entry;
                break;
            }

            case "unaligned-entry":
            {
                var (at, _) = data.Count > 0 ? data[0] : dataOrCompressed[0];
                var l2 = s.L2TableOffset(0);
                s.WriteU64(at, (1UL << 63) | (ulong)(l2 + (cs > 512 ? 512 : 0)) | (cs > 512 ? 0UL : 1UL << 1));
                break;
            }

            case "reserved-bits":
            {
                var (at, entry) = data.Count > 0 ? data[0] : dataOrCompressed[0];
                s.WriteU64(at, (entry & (1UL << 62)) != 0 ? entry | (1UL << 63) : entry | (1UL << 57));
                break;
            }

            case "l2-refcount-zero":
            {
                s.SetRefcount(s.L2TableOffset(0) / cs, 0);
                break;
            }

            default:
                throw new ArgumentException(damage);
        }
    }

    private static long HostOf(Qcow2Surgery s, ulong entry)
    {
        if ((entry & (1UL << 62)) != 0)
        {
            var shift = 62 - (s.Header.ClusterBits - 8);
            return (long)(entry & ((1UL << shift) - 1));
        }

        return (long)(entry & 0x00fffffffffffe00UL);
    }
}
