using Imago.Formats.Conversion;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Conversion;

/// <summary>
/// End-to-end conversions through the other formats' readers and writers (these need the qcow2 and VHD
/// work merged): the output passes qemu-img check where qemu supports it, and qemu-img compare finds it
/// equal to the source.
/// </summary>
public sealed class FormatConversionTests
{
    [Theory]
    [InlineData(ImageFormat.Qcow2, "qcow2", null)]
    [InlineData(ImageFormat.Qcow2, "qcow2", "cluster_size=2M")]
    [InlineData(ImageFormat.Qcow2, "qcow2", "compress")]
    [InlineData(ImageFormat.Qcow2, "qcow2", "compress,compression_type=zstd")]
    [InlineData(ImageFormat.Vhd, "vpc", "subformat=dynamic")]
    [InlineData(ImageFormat.Vhd, "vpc", "subformat=fixed")]
    public async Task Raw_converts_to_a_format_qemu_img_accepts(ImageFormat format, string qemuName, string? options)
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        var target = dir.File("dst.img");
        SparseRawImage.Create(source, 24 << 20, runs: 20, runLength: 90_000, seed: 50);
        var parts = (options ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var create = ImageCreateOptions.Parse(string.Join(',', parts.Where(p => p != "compress")))
            with { Compress = parts.Contains("compress") };

        await using (var image = await DiskImages.OpenAsync(source, ImageFormat.Raw))
        {
            await ImageConverter.ConvertToFileAsync(image, target, format, create);
        }

        if (format == ImageFormat.Qcow2)
        {
            Assert.Equal(0, QemuImg.Check(target, qemuName).ExitCode);
        }

        Assert.True(QemuImg.Compare(source, "raw", target, qemuName));
    }

    [Theory]
    [InlineData("qcow2", null, false)]
    [InlineData("qcow2", null, true)]
    [InlineData("vpc", "subformat=dynamic", false)]
    [InlineData("vpc", "subformat=fixed", false)]
    public async Task Qemu_written_images_convert_to_raw_exactly(string qemuName, string? options, bool compress)
    {
        using var dir = new TempDirectory();
        var raw = dir.File("src.raw");
        var source = dir.File("src.img");
        var target = dir.File("dst.raw");
        SparseRawImage.Create(raw, 24 << 20, runs: 20, runLength: 90_000, seed: 51);
        QemuImg.Convert(raw, "raw", source, qemuName, options, compress);
        var reference = dir.File("reference.raw");
        QemuImg.Convert(source, qemuName, reference, "raw");

        ImageFormatNames.TryParse(qemuName, out var format);
        await using (var image = await DiskImages.OpenAsync(source, format))
        {
            await ImageConverter.ConvertToFileAsync(image, target, ImageFormat.Raw);
        }

        Assert.Equal(await File.ReadAllBytesAsync(reference), await File.ReadAllBytesAsync(target));
    }
}
