using Imago.Formats.Inspection;
using Imago.Formats.IO;
using Imago.Formats.Tests.Hostile;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Inspection;

/// <summary>Focused behaviour of the inspector beyond the corpus verdicts: names, variants, bounded reads.</summary>
public sealed class InspectorTests
{
    [Theory]
    [InlineData("vhdx", ImageFormat.Vhdx)]
    [InlineData("vdi", ImageFormat.Vdi)]
    [InlineData("qed", ImageFormat.Qed)]
    [InlineData("vmdk-monolithicSparse", ImageFormat.Vmdk)]
    [InlineData("luks", ImageFormat.Luks)]
    public async Task Refused_formats_are_named_with_advice_to_convert(string seed, ImageFormat format)
    {
        var data = HostileCorpus.Group("refused-formats").Concat(HostileCorpus.Group("os-test-images"))
            .First(c => c.Name == seed || c.Name == seed + "1" || c.Name == "standard-" + seed).Data;
        var ex = await RefusalAsync(data);
        Assert.Equal(ImageErrorKind.UnsupportedFormat, ex.Kind);
        Assert.Equal(format, ex.Format);
        Assert.Contains(format.DisplayName(), ex.Message, StringComparison.Ordinal);
        Assert.Contains("convert", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Iso_is_named_with_advice_to_convert()
    {
        var ex = await RefusalAsync(CraftedImages.Iso9660());
        Assert.Equal(ImageFormat.Iso, ex.Format);
        Assert.Contains("ISO 9660/UDF", ex.Message, StringComparison.Ordinal);
        Assert.Contains("convert", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("qcow2-v2", "v2")]
    [InlineData("qcow2-v3", "v3")]
    [InlineData("vhd-fixed", "fixed")]
    [InlineData("vhd-dynamic", "dynamic")]
    public async Task Variant_is_reported(string seed, string variant)
    {
        using var source = new MemoryByteSource(HostileCorpus.Seed(seed).Data);
        var result = await ImageInspector.InspectAsync(source);
        Assert.Equal(variant, result.Variant);
    }

    [Fact]
    public async Task Detection_ignores_the_file_name()
    {
        using var dir = new TempDirectory();
        var qcow2NamedRaw = dir.File("disk.raw");
        QemuImg.Create(qcow2NamedRaw, "qcow2", 1 << 20);
        var rawNamedQcow2 = dir.File("disk.qcow2");
        QemuImg.Create(rawNamedQcow2, "raw", 1 << 20);
        var fixedNamedImg = dir.File("disk.img");
        QemuImg.Create(fixedNamedImg, "vpc", 1 << 20, "subformat=fixed");

        using (var source = FileByteSource.Open(qcow2NamedRaw))
        {
            Assert.Equal(ImageFormat.Qcow2, (await ImageInspector.InspectAsync(source)).Format);
        }

        using (var source = FileByteSource.Open(rawNamedQcow2))
        {
            Assert.Equal(ImageFormat.Raw, (await ImageInspector.InspectAsync(source)).Format);
        }

        using (var source = FileByteSource.Open(fixedNamedImg))
        {
            var result = await ImageInspector.InspectAsync(source);
            Assert.Equal(ImageFormat.Vhd, result.Format);
            using var info = QemuImg.Info(fixedNamedImg, "vpc");
            Assert.Equal(info.RootElement.GetProperty("virtual-size").GetInt64(), result.VirtualSize);
        }
    }

    [Theory]
    [InlineData("raw", null)]
    [InlineData("qcow2", null)]
    [InlineData("qcow2", "cluster_size=2M")]
    [InlineData("vpc", "subformat=dynamic")]
    [InlineData("vpc", "subformat=fixed")]
    public async Task Only_small_capture_regions_are_read(string format, string? options)
    {
        // 64 MiB of data in the image: the inspector must read headers and tables, never the payload.
        using var dir = new TempDirectory();
        var path = dir.File("disk");
        QemuImg.Create(path, format, 64L << 20, options);
        QemuImg.IoCommands(path, format, "write -P 0xab 0 64M");
        using var source = new CountingSource(FileByteSource.Open(path));
        await ImageInspector.InspectAsync(source);
        var limit = options == "cluster_size=2M" ? (3L << 20) : 256 * 1024;
        Assert.True(source.BytesRead < limit, $"read {source.BytesRead} bytes of a {source.Length}-byte file");
    }

    [Fact]
    public async Task Mismatch_reports_the_detected_format()
    {
        using var source = new MemoryByteSource(HostileCorpus.Seed("qcow2-v3").Data);
        var ex = await Assert.ThrowsAsync<ImageFormatException>(() => ImageInspector.InspectAsync(source, ImageFormat.Raw).AsTask());
        Assert.Equal(ImageErrorKind.FormatMismatch, ex.Kind);
        Assert.Equal(ImageFormat.Qcow2, ex.Format);
        Assert.Contains("declared as RAW", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<ImageFormatException> RefusalAsync(byte[] data)
    {
        using var source = new MemoryByteSource(data);
        return await Assert.ThrowsAsync<ImageFormatException>(() => ImageInspector.InspectAsync(source).AsTask());
    }

    private sealed class CountingSource(IByteSource inner) : IByteSource
    {
        private long _bytesRead;

        public long BytesRead => Interlocked.Read(ref _bytesRead);

        public long Length => inner.Length;

        public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(offset, buffer, cancellationToken);
            Interlocked.Add(ref _bytesRead, n);
            return n;
        }

        public void Dispose() => inner.Dispose();
    }
}
