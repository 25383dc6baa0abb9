using Imago.Formats.IO;
using Imago.Formats.Qcow2;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Qcow2;

/// <summary>Images written by our qcow2 writer, judged by qemu-img check and qemu-img compare.</summary>
public sealed class Qcow2WriterTests
{
    public static TheoryData<int, string, bool> Cases()
    {
        var data = new TheoryData<int, string, bool>();
        foreach (var clusterSize in new[] { 512, 65536, 2 << 20 })
        {
            foreach (var compression in new[] { "none", "zlib", "zstd" })
            {
                data.Add(clusterSize, compression, true);
                data.Add(clusterSize, compression, false);
            }
        }

        return data;
    }

    /// <summary>
    /// Writes the content of a qemu-made image through our writer (either every byte in odd-sized pieces,
    /// or only the data extents our reader maps, as the converter does) and asks qemu-img to judge it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task WrittenImagePassesQemuImgCheckAndCompare(int clusterSize, string compression, bool everyByte)
    {
        using var dir = new TempDirectory();
        var source = Qcow2Variants.Build(dir, Qcow2Variants.Get("odd-size"));
        var raw = dir.File("source.raw");
        QemuImg.Convert(source, "qcow2", raw, "raw");
        Qcow2Variants.WriteRandom(raw, 20L << 20, 1_500_000);
        var output = dir.File("ours.qcow2");

        var options = new ImageCreateOptions
        {
            ClusterSize = clusterSize,
            Compress = compression != "none",
            CompressionType = compression == "zstd" ? CompressionType.Zstd : CompressionType.Zlib,
        };
        await WriteFromRawAsync(raw, output, options, everyByte);

        var (exit, report) = QemuImg.Check(output, "qcow2");
        Assert.True(exit == 0, $"qemu-img check exit {exit}: {report?.RootElement}");
        Assert.False(report!.RootElement.TryGetProperty("leaks", out _));
        Assert.False(report.RootElement.TryGetProperty("corruptions", out _));
        Assert.True(QemuImg.Compare(output, "qcow2", raw, "raw"), "qemu-img compare found a difference");

        using var info = QemuImg.Info(output, "qcow2");
        var data = info.RootElement.GetProperty("format-specific").GetProperty("data");
        Assert.Equal("1.1", data.GetProperty("compat").GetString());
        Assert.Equal(clusterSize, info.RootElement.GetProperty("cluster-size").GetInt32());
        Assert.Equal(compression == "zstd" ? "zstd" : "zlib", data.GetProperty("compression-type").GetString());
        if (compression != "none")
        {
            Assert.True(report.RootElement.GetProperty("compressed-clusters").GetInt64() > 0);
        }

        await AssertNoZeroDataClustersAsync(output, clusterSize);
        await using var image = await Qcow2Open.FileAsync(output);
        await DiskAssert.EqualsRawFileAsync(image, raw);
    }

    [Fact]
    public async Task SparseSourceGivesSmallFile()
    {
        using var dir = new TempDirectory();
        var output = dir.File("sparse.qcow2");
        await using (var writer = await Qcow2ImageWriter.CreateAsync(output, 1L << 30, ImageCreateOptions.Default, CancellationToken.None))
        {
            var zeros = new byte[4 << 20];
            var pattern = Enumerable.Repeat((byte)0x5a, 65536).ToArray();
            await writer.WriteAsync(0, zeros);
            await writer.WriteAsync(100L << 20, pattern);
            await writer.WriteAsync(512L << 20, zeros);
            await writer.CompleteAsync();
        }

        Assert.True(new FileInfo(output).Length < 1 << 20, "zero clusters must not be stored");
        var (exit, _) = QemuImg.Check(output, "qcow2");
        Assert.Equal(0, exit);
        using var map = QemuImg.Info(output, "qcow2");
        Assert.Equal(1L << 30, map.RootElement.GetProperty("virtual-size").GetInt64());
    }

    [Fact]
    public async Task EmptyDiskIsWrittenAndReadBack()
    {
        using var dir = new TempDirectory();
        var ours = dir.File("empty.qcow2");
        await using (var writer = await Qcow2ImageWriter.CreateAsync(ours, 0, ImageCreateOptions.Default, CancellationToken.None))
        {
            await writer.CompleteAsync();
        }

        var (exit, _) = QemuImg.Check(ours, "qcow2");
        Assert.Equal(0, exit);
        var theirs = dir.File("theirs.qcow2");
        QemuImg.Create(theirs, "qcow2", 0);
        foreach (var path in new[] { ours, theirs })
        {
            await using var image = await Qcow2Open.FileAsync(path);
            Assert.Equal(0, image.VirtualSize);
            var report = await Qcow2CheckerTests.CheckAsync(path);
            Assert.Equal(0, report.ExitCode);
        }
    }

    [Fact]
    public async Task AbandonedWriterLeavesNoQcow2Header()
    {
        using var dir = new TempDirectory();
        var output = dir.File("abandoned.qcow2");
        await using (var writer = await Qcow2ImageWriter.CreateAsync(output, 16 << 20, ImageCreateOptions.Default, CancellationToken.None))
        {
            await writer.WriteAsync(0, Enumerable.Repeat((byte)1, 1 << 20).ToArray());
        }

        var head = new byte[4];
        await using (var f = File.OpenRead(output))
        {
            _ = await f.ReadAsync(head);
        }

        Assert.Equal(new byte[4], head);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(3000)]
    [InlineData(4 << 20)]
    public async Task InvalidClusterSizeIsRefused(int clusterSize)
    {
        using var dir = new TempDirectory();
        var e = await Assert.ThrowsAsync<ImageFormatException>(async () =>
            await Qcow2ImageWriter.CreateAsync(dir.File("x.qcow2"), 1 << 20, new ImageCreateOptions { ClusterSize = clusterSize }, CancellationToken.None));
        Assert.Equal(ImageErrorKind.InvalidOption, e.Kind);
    }

    internal static async Task WriteFromRawAsync(string raw, string output, ImageCreateOptions options, bool everyByte)
    {
        var length = new FileInfo(raw).Length;
        await using var writer = await Qcow2ImageWriter.CreateAsync(output, length, options, CancellationToken.None);
        using var source = FileByteSource.Open(raw);
        if (everyByte)
        {
            // Odd piece sizes exercise partial clusters across writes.
            var buffer = new byte[777_777];
            for (long offset = 0; offset < length;)
            {
                var n = (int)Math.Min(buffer.Length, length - offset);
                await source.ReadExactlyAsync(offset, buffer.AsMemory(0, n), ImageFormat.Raw, "raw");
                await writer.WriteAsync(offset, buffer.AsMemory(0, n));
                offset += n;
            }
        }
        else
        {
            // Only 1 MiB pieces that hold data, leaving gaps, as a converter skipping zero ranges does.
            var buffer = new byte[1 << 20];
            for (long offset = 0; offset < length; offset += buffer.Length)
            {
                var n = (int)Math.Min(buffer.Length, length - offset);
                await source.ReadExactlyAsync(offset, buffer.AsMemory(0, n), ImageFormat.Raw, "raw");
                if (!ZeroDetector.IsAllZero(buffer.AsSpan(0, n)))
                {
                    await writer.WriteAsync(offset, buffer.AsMemory(0, n));
                }
            }
        }

        await writer.CompleteAsync();
    }

    /// <summary>Every data cluster our writer stored holds at least one non-zero byte.</summary>
    internal static async Task AssertNoZeroDataClustersAsync(string path, int clusterSize)
    {
        await using var image = await Qcow2Open.FileAsync(path);
        var buffer = new byte[clusterSize];
        foreach (var extent in await ExtentMap.MergedAsync(image))
        {
            if (!extent.Data)
            {
                continue;
            }

            for (var offset = extent.Offset; offset < extent.End; offset += clusterSize)
            {
                var n = (int)Math.Min(clusterSize, image.VirtualSize - offset);
                await image.ReadAsync(offset, buffer.AsMemory(0, n));
                Assert.False(ZeroDetector.IsAllZero(buffer.AsSpan(0, n)), $"all-zero data cluster stored at virtual offset {offset}");
            }
        }
    }
}
