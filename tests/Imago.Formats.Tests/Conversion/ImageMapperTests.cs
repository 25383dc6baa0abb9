using System.Text.Json;
using Imago.Formats.Conversion;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Conversion;

/// <summary>
/// ImageMapper against qemu-img map --output json for images qemu-img wrote. These need the qcow2 and VHD
/// readers (the raw map is covered in Raw/RawDiskImageTests).
/// </summary>
public sealed class ImageMapperTests
{
    [Theory]
    [InlineData("qcow2", null, false)]
    [InlineData("qcow2", "cluster_size=4k", false)]
    [InlineData("qcow2", null, true)]
    [InlineData("vpc", "subformat=dynamic", false)]
    [InlineData("vpc", "subformat=fixed", false)]
    public async Task The_map_matches_qemu_img_map(string format, string? options, bool compress)
    {
        using var dir = new TempDirectory();
        var raw = dir.File("src.raw");
        var path = dir.File("image");
        SparseRawImage.Create(raw, 20 << 20, runs: 9, runLength: 150_000, seed: 40);
        QemuImg.Convert(raw, "raw", path, format, options, compress);

        ImageFormatNames.TryParse(format, out var imageFormat);
        await using var image = await DiskImages.OpenAsync(path, imageFormat);
        var ours = new List<DiskExtent>();
        await foreach (var extent in ImageMapper.MapAsync(image))
        {
            ours.Add(extent with { Compressed = false });
        }

        Assert.Equal(QemuMap(path, format), ours);
    }

    internal static List<DiskExtent> QemuMap(string path, string format)
    {
        using var json = JsonDocument.Parse(QemuImg.Run("map", "-f", format, "--output", "json", path).EnsureSuccess("qemu-img map").StdOut);
        return json.RootElement.EnumerateArray().Select(e => new DiskExtent(
            e.GetProperty("start").GetInt64(), e.GetProperty("length").GetInt64(), e.GetProperty("present").GetBoolean(),
            e.GetProperty("zero").GetBoolean(), e.GetProperty("data").GetBoolean(),
            e.TryGetProperty("offset", out var o) ? o.GetInt64() : null)).ToList();
    }
}
