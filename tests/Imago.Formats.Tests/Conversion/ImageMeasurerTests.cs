using System.Text.Json;
using Imago.Formats.Conversion;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Conversion;

/// <summary>ImageMeasurer against qemu-img measure (qcow2, raw) and against the files qemu-img writes (vpc, which qemu cannot measure).</summary>
public sealed class ImageMeasurerTests
{
    [Theory]
    [InlineData("qcow2", null)]
    [InlineData("qcow2", "cluster_size=512")]
    [InlineData("qcow2", "cluster_size=4k")]
    [InlineData("qcow2", "cluster_size=2M")]
    [InlineData("raw", null)]
    public async Task A_raw_source_measures_like_qemu_img(string format, string? options)
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        SparseRawImage.Create(source, (40 << 20) + 12345 * 512, runs: 25, runLength: 70_000, seed: 30);

        await using var image = await DiskImages.OpenAsync(source, ImageFormat.Raw);
        var ours = await ImageMeasurer.MeasureAsync(Parse(format), ImageCreateOptions.Parse(options), image);

        Assert.Equal(QemuMeasure(format, options, "-f", "raw", source), ours);
    }

    [Theory]
    [InlineData("qcow2", null, "1G")]
    [InlineData("qcow2", "cluster_size=512", "100M")]
    [InlineData("qcow2", "cluster_size=2M", "3T")]
    [InlineData("qcow2", null, "12345")]
    [InlineData("raw", null, "12345")]
    public async Task A_size_measures_like_qemu_img(string format, string? options, string size)
    {
        var ours = await ImageMeasurer.MeasureAsync(Parse(format), ImageCreateOptions.Parse(options), null, SizeParser.Parse(size));

        Assert.Equal(QemuMeasure(format, options, "--size", size), ours);
    }

    [Theory]
    [InlineData("subformat=dynamic")]
    [InlineData("subformat=fixed")]
    [InlineData("subformat=dynamic,force_size")]
    [InlineData("subformat=fixed,force_size")]
    public async Task Vpc_measure_matches_the_size_of_the_file_qemu_img_writes(string options)
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        var written = dir.File("out.vhd");
        var full = dir.File("full.vhd");
        SparseRawImage.Create(source, 50 << 20, runs: 7, runLength: 90_000, seed: 31);
        QemuImg.Convert(source, "raw", written, "vpc", options);

        // Fully allocated: every block written, which convert -S 0 does only for a source as large as the VHD.
        var padded = dir.File("padded.raw");
        using (var info = QemuImg.Info(written, "vpc"))
        {
            QemuImg.Create(padded, "raw", info.RootElement.GetProperty("virtual-size").GetInt64());
        }

        QemuImg.Run("convert", "-q", "-S", "0", "-f", "raw", "-O", "vpc", "-o", options, padded, full).EnsureSuccess("qemu-img convert -S 0");

        await using var image = await DiskImages.OpenAsync(source, ImageFormat.Raw);
        var ours = await ImageMeasurer.MeasureAsync(ImageFormat.Vhd, ImageCreateOptions.Parse(options), image);

        Assert.Equal(new FileInfo(written).Length, ours.Required);
        Assert.Equal(new FileInfo(full).Length, ours.FullyAllocated);
    }

    /// <summary>
    /// Above 127 GiB no CHS geometry holds the disk; the size stays exact (the measurer once searched for a
    /// geometry forever here).
    /// </summary>
    [Theory]
    [InlineData("subformat=dynamic")]
    [InlineData("subformat=fixed")]
    public async Task Vpc_measure_of_an_empty_disk_beyond_chs_matches_the_file_qemu_img_creates(string options)
    {
        using var dir = new TempDirectory();
        var created = dir.File("empty.vhd");
        const long size = 200L << 30;
        QemuImg.Create(created, "vpc", size, options);

        var ours = await ImageMeasurer.MeasureAsync(ImageFormat.Vhd, ImageCreateOptions.Parse(options), null, size);

        Assert.Equal(new FileInfo(created).Length, ours.Required);
    }

    [Fact]
    public async Task An_impossible_qcow2_size_is_refused_like_qemu_img()
    {
        Assert.NotEqual(0, QemuImg.Run("measure", "-O", "qcow2", "-o", "cluster_size=512", "--size", "16T").ExitCode);

        var error = await Assert.ThrowsAsync<ImageFormatException>(() => ImageMeasurer.MeasureAsync(
            ImageFormat.Qcow2, new ImageCreateOptions { ClusterSize = 512 }, null, 16L << 40));
        Assert.Contains("too large", error.Message);
    }

    /// <summary>Needs the qcow2 reader: a qcow2 v3 source adds qemu's "bitmaps" field.</summary>
    [Fact]
    public async Task A_qcow2_source_measures_like_qemu_img()
    {
        using var dir = new TempDirectory();
        var raw = dir.File("src.raw");
        var source = dir.File("src.qcow2");
        SparseRawImage.Create(raw, 30 << 20, runs: 12, runLength: 80_000, seed: 32);
        QemuImg.Convert(raw, "raw", source, "qcow2");

        await using var image = await DiskImages.OpenAsync(source, ImageFormat.Qcow2);
        var ours = await ImageMeasurer.MeasureAsync(ImageFormat.Qcow2, null, image);

        Assert.Equal(QemuMeasure("qcow2", null, "-f", "qcow2", source), ours);
    }

    private static ImageFormat Parse(string name) =>
        ImageFormatNames.TryParse(name, out var format) ? format : throw new ArgumentException(name);

    private static MeasureResult QemuMeasure(string format, string? options, params string[] input)
    {
        var args = new List<string> { "measure", "--output", "json", "-O", format };
        if (options is not null)
        {
            args.AddRange(["-o", options]);
        }

        args.AddRange(input);
        using var json = JsonDocument.Parse(QemuImg.Run([.. args]).EnsureSuccess("qemu-img measure").StdOut);
        var root = json.RootElement;
        return new MeasureResult(root.GetProperty("required").GetInt64(), root.GetProperty("fully-allocated").GetInt64(),
            root.TryGetProperty("bitmaps", out var bitmaps) ? bitmaps.GetInt64() : null);
    }
}
