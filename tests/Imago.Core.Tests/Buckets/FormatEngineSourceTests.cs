using Imago.Formats;
using Imago.Formats.Tests.Infrastructure;
using static Imago.Core.Tests.Buckets.BucketStoreHarness;

namespace Imago.Core.Tests.Buckets;

/// <summary>What ImportImage will do: open a bucket object through the format engine by offset, without a local copy.</summary>
public sealed class FormatEngineSourceTests
{
    [Fact]
    public async Task A_qcow2_made_by_qemu_img_opens_from_its_object_and_reads_the_written_bytes()
    {
        using var harness = await CreateAsync();
        using var local = new TempDirectory();
        var path = local.File("disk.qcow2");
        QemuImg.Create(path, "qcow2", 64 << 20);
        QemuImg.IoCommands(path, "qcow2", "write -P 0xab 1M 64k", "write -P 0xcd 40M 4k");
        await using (var file = File.OpenRead(path))
        {
            await harness.Store.PutObjectAsync(Region, Bucket, "imports/disk.qcow2", file, null, CancellationToken.None);
        }

        var source = await harness.Store.OpenByteSourceAsync(Region, Bucket, "imports/disk.qcow2", CancellationToken.None);
        await using var image = await DiskImages.OpenAsync(source);

        Assert.Equal(ImageFormat.Qcow2, image.Format);
        Assert.Equal(64 << 20, image.VirtualSize);
        var written = new byte[64 << 10];
        await image.ReadAsync(1 << 20, written);
        Assert.All(written, b => Assert.Equal(0xab, b));
        var other = new byte[4096];
        await image.ReadAsync(40 << 20, other);
        Assert.All(other, b => Assert.Equal(0xcd, b));
        var unwritten = new byte[4096];
        await image.ReadAsync(8 << 20, unwritten);
        Assert.All(unwritten, b => Assert.Equal(0, b));
    }
}
