using Imago.Formats.Conversion;
using Imago.Formats.Tests.Conversion;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Raw;

public sealed class RawImageWriterTests
{
    [Fact]
    public async Task Converting_a_sparse_disk_keeps_the_holes_and_qemu_img_finds_it_equal()
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        var target = dir.File("dst.raw");
        SparseRawImage.Create(source, 64 << 20, runs: 10, runLength: 40000, seed: 3);

        await using (var image = await DiskImages.OpenAsync(source, ImageFormat.Raw))
        {
            await ImageConverter.ConvertToFileAsync(image, target, ImageFormat.Raw);
        }

        Assert.Equal(64 << 20, new FileInfo(target).Length);
        Assert.True(SparseRawImage.AllocatedBytes(target) < 2 << 20,
            $"output allocates {SparseRawImage.AllocatedBytes(target)} bytes for ~400 KB of data");
        Assert.True(QemuImg.Compare(source, "raw", target, "raw"));
    }

    [Fact]
    public async Task Written_zeros_become_holes()
    {
        using var dir = new TempDirectory();
        var target = dir.File("zeros.raw");
        var writer = await DiskImages.CreateAsync(target, ImageFormat.Raw, 16 << 20);
        await using (writer)
        {
            var data = new byte[8 << 20];
            data[(3 << 20) + 5] = 0x5a; // one non-zero 4 KiB unit in 8 MiB of zeros
            await writer.WriteAsync(1 << 20, data);
            await writer.CompleteAsync();
        }

        Assert.Equal(16 << 20, new FileInfo(target).Length);
        Assert.True(SparseRawImage.AllocatedBytes(target) <= 64 << 10);
        var bytes = await File.ReadAllBytesAsync(target);
        Assert.Equal(0x5a, bytes[(4 << 20) + 5]);
        Assert.Equal(1, bytes.Count(b => b != 0));
    }

    [Fact]
    public async Task Unaligned_writes_keep_every_byte()
    {
        using var dir = new TempDirectory();
        var target = dir.File("odd.raw");
        var expected = new byte[100_000];
        new Random(4).NextBytes(expected.AsSpan(1000, 5000));
        new Random(5).NextBytes(expected.AsSpan(70_001, 333));
        var writer = await DiskImages.CreateAsync(target, ImageFormat.Raw, expected.Length);
        await using (writer)
        {
            await writer.WriteAsync(0, expected.AsMemory(0, 777));
            await writer.WriteAsync(777, expected.AsMemory(777, 60_000));
            await writer.WriteAsync(60_777, expected.AsMemory(60_777));
            await writer.CompleteAsync();
        }

        Assert.Equal(expected, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task Writes_must_move_forward()
    {
        using var dir = new TempDirectory();
        var writer = await DiskImages.CreateAsync(dir.File("x.raw"), ImageFormat.Raw, 1 << 20);
        await using (writer)
        {
            await writer.WriteAsync(8192, new byte[4096]);
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await writer.WriteAsync(4096, new byte[4096]));
        }
    }
}
