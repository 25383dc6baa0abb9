using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Vhd;

/// <summary>Images written by qemu-img and qemu-io read back byte for byte as qemu-img convert -O raw sees them.</summary>
public sealed class VhdReaderTests
{
    public static TheoryData<string, long> Variants()
    {
        var data = new TheoryData<string, long>();
        foreach (var options in new[] { "subformat=dynamic", "subformat=fixed", "subformat=dynamic,force_size=on", "subformat=fixed,force_size=on" })
        {
            foreach (var size in new[] { 33L * 1024 * 1024 + 1536, 100L * 1024 * 1024, 1024L * 1024 * 1024 + 512 })
            {
                data.Add(options, size);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task ReadsWhatQemuWrote(string options, long requestedSize)
    {
        using var dir = new TempDirectory();
        var vhd = dir.File("disk.vhd");
        var raw = dir.File("disk.raw");
        var qemuSize = VhdTestFiles.CreateWithPattern(vhd, requestedSize, options);
        QemuImg.Convert(vhd, "vpc", raw, "raw");

        await using var image = await VhdTestFiles.OpenAsync(vhd);
        Assert.Equal(ImageFormat.Vhd, image.Format);
        Assert.Equal(qemuSize, image.VirtualSize);
        Assert.Equal(VhdTestFiles.QemuClusterSize(vhd), image.Details.ClusterSize);
        Assert.Equal(options.Contains("fixed"), !image.IsDynamic);
        await DiskAssert.EqualsRawFileAsync(image, raw);
    }

    [Theory]
    [InlineData("subformat=dynamic", 33L * 1024 * 1024 + 1536)]
    [InlineData("subformat=dynamic", 100L * 1024 * 1024)]
    [InlineData("subformat=fixed", 33L * 1024 * 1024 + 1536)]
    [InlineData("subformat=fixed,force_size=on", 100L * 1024 * 1024)]
    public async Task MapMatchesQemuImgMap(string options, long size)
    {
        using var dir = new TempDirectory();
        var vhd = dir.File("disk.vhd");
        VhdTestFiles.CreateWithPattern(vhd, size, options);

        await using var image = await VhdTestFiles.OpenAsync(vhd);
        var ours = await ExtentMap.MergedAsync(image);
        var theirs = VhdTestFiles.QemuMap(vhd);
        Assert.Equal(theirs.Count, ours.Count);
        for (var i = 0; i < ours.Count; i++)
        {
            Assert.Equal(theirs[i].GetProperty("start").GetInt64(), ours[i].Offset);
            Assert.Equal(theirs[i].GetProperty("length").GetInt64(), ours[i].Length);
            Assert.Equal(theirs[i].GetProperty("present").GetBoolean(), ours[i].Present);
            Assert.Equal(theirs[i].GetProperty("zero").GetBoolean(), ours[i].Zero);
            Assert.Equal(theirs[i].GetProperty("data").GetBoolean(), ours[i].Data);
            Assert.Equal(theirs[i].TryGetProperty("offset", out var o) ? o.GetInt64() : null, ours[i].HostOffset);
        }
    }

    [Fact]
    public async Task SectorBitmapsAreIgnoredAsQemuIgnoresThem()
    {
        using var dir = new TempDirectory();
        var vhd = dir.File("disk.vhd");
        var raw = dir.File("disk.raw");
        var image = VhdCorpus.Dynamic();
        var bitmap = (int)VhdCorpus.BatEntry(image, 0) * 512;
        image.AsSpan(bitmap, 512).Clear(); // every sector of block 0 marked "not present"
        await File.WriteAllBytesAsync(vhd, image);
        QemuImg.Convert(vhd, "vpc", raw, "raw");
        Assert.Contains((byte)0xab, (await File.ReadAllBytesAsync(raw)).AsSpan(0, 65536).ToArray());

        await using var disk = await VhdTestFiles.OpenAsync(vhd);
        await DiskAssert.EqualsRawFileAsync(disk, raw);
    }

    [Fact]
    public async Task ConcurrentReadsReturnTheSameBytesAsSequentialOnes()
    {
        using var dir = new TempDirectory();
        var vhd = dir.File("disk.vhd");
        var raw = dir.File("disk.raw");
        VhdTestFiles.CreateWithPattern(vhd, 100L * 1024 * 1024, "subformat=dynamic");
        QemuImg.Convert(vhd, "vpc", raw, "raw");
        var expected = await File.ReadAllBytesAsync(raw);

        await using var image = await VhdTestFiles.OpenAsync(vhd);
        var random = new Random(1234);
        var requests = Enumerable.Range(0, 64).Select(_ =>
        {
            var length = random.Next(1, 3 * 1024 * 1024);
            var offset = random.NextInt64(0, image.VirtualSize - length);
            return (offset, length);
        }).ToList();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, ct) =>
        {
            var buffer = new byte[r.length];
            await image.ReadAsync(r.offset, buffer, ct);
            Assert.True(buffer.AsSpan().SequenceEqual(expected.AsSpan((int)r.offset, r.length)));
        });
    }
}
