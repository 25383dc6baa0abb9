using System.Text.Json;
using Imago.Formats.Conversion;
using Imago.Formats.IO;
using Imago.Formats.Tests.Conversion;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Raw;

public sealed class RawDiskImageTests
{
    [Fact]
    public async Task Reads_the_file_bytes_exactly()
    {
        using var dir = new TempDirectory();
        var path = dir.File("disk.raw");
        SparseRawImage.Create(path, 8 << 20, runs: 20, runLength: 12345, seed: 1);

        await using var image = await DiskImages.OpenAsync(path, ImageFormat.Raw);

        Assert.Equal(ImageFormat.Raw, image.Format);
        await DiskAssert.EqualsRawFileAsync(image, path);
    }

    [Fact]
    public async Task Holes_are_zero_extents_and_the_map_matches_qemu_img_map()
    {
        using var dir = new TempDirectory();
        var path = dir.File("disk.raw");
        SparseRawImage.Create(path, 16 << 20, runs: 6, runLength: 64 << 10, seed: 2);

        await using var image = await DiskImages.OpenAsync(path, ImageFormat.Raw);
        var ours = new List<DiskExtent>();
        await foreach (var extent in ImageMapper.MapAsync(image))
        {
            ours.Add(extent);
        }

        using var theirs = JsonDocument.Parse(QemuImg.Run("map", "-f", "raw", "--output", "json", path).EnsureSuccess("qemu-img map").StdOut);
        var expected = theirs.RootElement.EnumerateArray().Select(e => new DiskExtent(
            e.GetProperty("start").GetInt64(), e.GetProperty("length").GetInt64(), e.GetProperty("present").GetBoolean(),
            e.GetProperty("zero").GetBoolean(), e.GetProperty("data").GetBoolean(),
            e.TryGetProperty("offset", out var o) ? o.GetInt64() : null)).ToList();
        Assert.Equal(expected, ours);
        Assert.Contains(ours, e => e.Zero && !e.Data);
    }

    [Fact]
    public async Task A_source_without_a_file_handle_reports_everything_as_data()
    {
        var bytes = new byte[64 << 10];
        bytes[100] = 7;
        await using var image = await DiskImages.OpenAsync(new MemoryByteSource(bytes), ImageFormat.Raw);

        var extent = await image.GetExtentAsync(0, image.VirtualSize);

        Assert.Equal(new DiskExtent(0, bytes.Length, Present: true, Zero: false, Data: true, HostOffset: 0), extent);
        var read = new byte[16];
        await image.ReadAsync(96, read);
        Assert.Equal(7, read[4]);
    }

    [Fact]
    public async Task Reads_outside_the_virtual_disk_are_refused()
    {
        await using var image = await DiskImages.OpenAsync(new MemoryByteSource(new byte[4096]), ImageFormat.Raw);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await image.ReadAsync(4000, new byte[200]));
    }
}
