using System.Buffers.Binary;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Vhd;

/// <summary>
/// Images we write from raw sources: qemu-img reads them with the size qemu itself would have chosen,
/// finds their content equal to the source, and zero blocks cost no space.
/// </summary>
public sealed class VhdWriterTests
{
    private const int BlockSize = 2 * 1024 * 1024;

    public static TheoryData<string, long, int> Variants()
    {
        var data = new TheoryData<string, long, int>();
        foreach (var options in new[] { "subformat=dynamic", "subformat=fixed", "subformat=dynamic,force_size=on", "subformat=fixed,force_size=on" })
        {
            data.Add(options, 33L * 1024 * 1024 + 1536, 1024 * 1024);
            data.Add(options, 100L * 1024 * 1024, 333 * 1024 + 512); // writes that never line up with blocks
            data.Add(options, 1024L * 1024 * 1024 + 512, 4 * 1024 * 1024);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task QemuReadsWhatWeWrite(string qemuOptions, long size, int chunk)
    {
        using var dir = new TempDirectory();
        var source = dir.File("source.raw");
        var ours = dir.File("ours.vhd");
        var reference = dir.File("qemu.vhd");
        CreateRawSource(source, size);

        var options = ImageCreateOptions.Parse(qemuOptions);
        long writerSize;
        await using (var writer = await DiskImages.CreateAsync(ours, ImageFormat.Vhd, size, options))
        {
            writerSize = writer.VirtualSize;
            Assert.Equal(options.Subformat == VhdSubformat.Dynamic ? BlockSize : 64 * 1024, writer.Granularity);
            await CopyAsync(source, writer, chunk);
            await writer.CompleteAsync();
        }

        // The size qemu reports for our file is the size qemu picks for the same request.
        QemuImg.Convert(source, "raw", reference, "vpc", qemuOptions);
        var qemuSize = VhdTestFiles.QemuVirtualSize(reference);
        Assert.Equal(qemuSize, VhdTestFiles.QemuVirtualSize(ours));
        Assert.Equal(qemuSize, writerSize);
        if (options.ForceSize)
        {
            Assert.Equal((size + 511) / 512 * 512, qemuSize);
        }

        Assert.True(QemuImg.Compare(ours, "vpc", source, "raw"), "qemu-img compare found a difference");

        var head = ReadFooter(ours);
        Assert.Equal("imgo"u8.ToArray(), head[28..32]);
        if (options.ForceSize)
        {
            Assert.Equal(65535, BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(56)));
            Assert.Equal(16, head[58]);
            Assert.Equal(255, head[59]);
        }
        else
        {
            // Same geometry as qemu's own file.
            Assert.Equal(ReadFooter(reference)[56..60], head[56..60]);
        }

        if (options.Subformat == VhdSubformat.Dynamic)
        {
            AssertDynamicLayout(ours, reference, source, qemuSize);
        }
        else
        {
            AssertSparseFixed(ours, qemuSize);
        }
    }

    [Theory]
    [InlineData("subformat=dynamic", 1000)]
    [InlineData("subformat=fixed", 1000)]
    [InlineData("subformat=dynamic,force_size=on", 1000)]
    [InlineData("subformat=fixed,force_size=on", 3 * 1024 * 1024 + 7)]
    public async Task SizesThatAreNotWholeSectorsRoundUpLikeQemu(string qemuOptions, int size)
    {
        using var dir = new TempDirectory();
        var source = dir.File("source.raw");
        var data = new byte[size];
        new Random(size).NextBytes(data);
        await File.WriteAllBytesAsync(source, data);

        var ours = dir.File("ours.vhd");
        await using (var writer = await DiskImages.CreateAsync(ours, ImageFormat.Vhd, size, ImageCreateOptions.Parse(qemuOptions)))
        {
            await writer.WriteAsync(0, data);
            await writer.CompleteAsync();
        }

        var reference = dir.File("qemu.vhd");
        QemuImg.Convert(source, "raw", reference, "vpc", qemuOptions);
        Assert.Equal(VhdTestFiles.QemuVirtualSize(reference), VhdTestFiles.QemuVirtualSize(ours));
        Assert.True(QemuImg.Compare(ours, "vpc", reference, "vpc"));
    }

    [Theory]
    [InlineData(VhdSubformat.Dynamic)]
    [InlineData(VhdSubformat.Fixed)]
    public async Task AnEmptyDiskCanBeWrittenAndRead(VhdSubformat subformat)
    {
        using var dir = new TempDirectory();
        var ours = dir.File("ours.vhd");
        await using (var writer = await DiskImages.CreateAsync(ours, ImageFormat.Vhd, 0, new ImageCreateOptions { Subformat = subformat }))
        {
            Assert.Equal(0, writer.VirtualSize);
            await writer.CompleteAsync();
        }

        await using var image = await VhdTestFiles.OpenAsync(ours);
        Assert.Equal(0, image.VirtualSize);
        Assert.Equal(subformat == VhdSubformat.Dynamic, image.IsDynamic);
        if (subformat == VhdSubformat.Dynamic)
        {
            Assert.Equal(0, VhdTestFiles.QemuVirtualSize(ours));
        }
        else
        {
            // A 512-byte fixed VHD is only its footer; qemu takes that footer for a dynamic disk's copy and fails.
            Assert.Equal(512, new FileInfo(ours).Length);
            Assert.NotEqual(0, QemuImg.Run("info", "-f", "vpc", ours).ExitCode);
        }
    }

    [Fact]
    public async Task OurReaderReadsOurDynamicWriterBack()
    {
        using var dir = new TempDirectory();
        var source = dir.File("source.raw");
        var ours = dir.File("ours.vhd");
        var size = 33L * 1024 * 1024 + 1536;
        CreateRawSource(source, size);
        await using (var writer = await DiskImages.CreateAsync(ours, ImageFormat.Vhd, size, ImageCreateOptions.Parse("force_size")))
        {
            await CopyAsync(source, writer, 1024 * 1024);
            await writer.CompleteAsync();
        }

        var raw = dir.File("back.raw");
        QemuImg.Convert(ours, "vpc", raw, "raw");
        await using var image = await VhdTestFiles.OpenAsync(ours);
        await DiskAssert.EqualsRawFileAsync(image, raw);
        Assert.True(QemuImg.Compare(raw, "raw", source, "raw"));
    }

    [Theory]
    [InlineData("cluster_size=64k")]
    public async Task RefusesOptionsVhdDoesNotHave(string text)
    {
        using var dir = new TempDirectory();
        QemuImg.Create(dir.File("src.raw"), "raw", 1 << 20);
        Assert.Equal(1, QemuImg.Run("create", "-q", "-f", "vpc", "-o", text, dir.File("q.vhd"), "1M").ExitCode);
        Assert.Equal(1, QemuImg.Run("convert", "-q", "-c", "-f", "raw", "-O", "vpc", dir.File("src.raw"), dir.File("c.vhd")).ExitCode);
        var e = await Assert.ThrowsAsync<ImageFormatException>(async () =>
            await DiskImages.CreateAsync(dir.File("x.vhd"), ImageFormat.Vhd, 1 << 20, ImageCreateOptions.Parse(text)));
        Assert.Equal(ImageErrorKind.InvalidOption, e.Kind);
        var c = await Assert.ThrowsAsync<ImageFormatException>(async () =>
            await DiskImages.CreateAsync(dir.File("y.vhd"), ImageFormat.Vhd, 1 << 20, new ImageCreateOptions { Compress = true }));
        Assert.Equal(ImageErrorKind.InvalidOption, c.Kind);
    }

    [Fact]
    public async Task RefusesMoreThan2040GiBAsQemuDoes()
    {
        using var dir = new TempDirectory();
        var tooBig = 2041L * 1024 * 1024 * 1024;
        Assert.NotEqual(0, QemuImg.Run("create", "-q", "-f", "vpc", "-o", "force_size=on", dir.File("q.vhd"), tooBig.ToString()).ExitCode);
        var e = await Assert.ThrowsAsync<ImageFormatException>(async () =>
            await DiskImages.CreateAsync(dir.File("x.vhd"), ImageFormat.Vhd, tooBig, ImageCreateOptions.Parse("force_size")));
        Assert.Equal(ImageErrorKind.TooLarge, e.Kind);
    }

    [Fact]
    public async Task AnEmptyDynamicDiskIsJustMetadata()
    {
        using var dir = new TempDirectory();
        var ours = dir.File("ours.vhd");
        await using (var writer = await DiskImages.CreateAsync(ours, ImageFormat.Vhd, 64L * 1024 * 1024, ImageCreateOptions.Default))
        {
            await writer.WriteAsync(0, new byte[4 * 1024 * 1024]); // zeros are never stored
            await writer.CompleteAsync();
        }

        var reference = dir.File("qemu.vhd");
        QemuImg.Create(reference, "vpc", 64L * 1024 * 1024);
        Assert.Equal(new FileInfo(reference).Length, new FileInfo(ours).Length);
        Assert.Equal(VhdTestFiles.QemuVirtualSize(reference), VhdTestFiles.QemuVirtualSize(ours));
        Assert.Equal(0, VhdTestFiles.QemuMap(ours).Count(e => e.GetProperty("data").GetBoolean()));
    }

    internal static void CreateRawSource(string path, long size)
    {
        QemuImg.Create(path, "raw", size);
        var commands = new List<string>
        {
            "write -P 0xab 0 4k",
            "write -P 0x5c 1049088 1536",
            "write -P 0x77 2096640 1024", // straddles the first block boundary
        };
        if (size > 41L * 1024 * 1024)
        {
            commands.Add("write -P 0x31 41943552 65536");
        }

        commands.Add($"write -P 0xee {size / 512 * 512 - 512} 512");
        QemuImg.IoCommands(path, "raw", [.. commands]);
    }

    internal static async Task CopyAsync(string source, IDiskImageWriter writer, int chunk)
    {
        using var file = File.OpenHandle(source);
        var length = RandomAccess.GetLength(file);
        var buffer = new byte[chunk];
        for (long offset = 0; offset < length; offset += chunk)
        {
            var n = (int)Math.Min(chunk, length - offset);
            var read = 0;
            while (read < n)
            {
                read += await RandomAccess.ReadAsync(file, buffer.AsMemory(read, n - read), offset + read);
            }

            await writer.WriteAsync(offset, buffer.AsMemory(0, n));
        }
    }

    private static byte[] ReadFooter(string path)
    {
        using var file = File.OpenRead(path);
        var footer = new byte[512];
        file.Position = file.Length - 512;
        file.ReadExactly(footer);
        return footer;
    }

    private static void AssertDynamicLayout(string ours, string reference, string source, long virtualSize)
    {
        var header = new byte[1024];
        using (var file = File.OpenRead(ours))
        {
            file.Position = 512;
            file.ReadExactly(header);
        }

        var entries = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(28));
        Assert.Equal((virtualSize + BlockSize - 1) / BlockSize, entries);
        var qemuHeader = new byte[1024];
        using (var file = File.OpenRead(reference))
        {
            file.Position = 512;
            file.ReadExactly(qemuHeader);
        }

        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(qemuHeader.AsSpan(28)), entries);
        Assert.Equal(ulong.MaxValue, BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8)));

        // Exactly the blocks holding non-zero source data are stored, nothing else.
        var nonZeroBlocks = CountNonZeroBlocks(source);
        var dataExtents = VhdTestFiles.QemuMap(ours).Where(e => e.GetProperty("data").GetBoolean()).ToList();
        Assert.Equal(nonZeroBlocks, dataExtents.Sum(e => (e.GetProperty("length").GetInt64() + BlockSize - 1) / BlockSize));
        var expectedLength = 1536 + ((entries * 4 + 511) / 512 * 512) + nonZeroBlocks * (BlockSize + 512) + 512;
        Assert.Equal(expectedLength, new FileInfo(ours).Length);
        Assert.True(new FileInfo(ours).Length < virtualSize / 2);

        // Zero 4 KiB runs inside stored blocks stay holes, as in the file qemu-img convert writes.
        using var ourInfo = QemuImg.Info(ours, "vpc");
        using var qemuInfo = QemuImg.Info(reference, "vpc");
        Assert.True(ourInfo.RootElement.GetProperty("actual-size").GetInt64() <= qemuInfo.RootElement.GetProperty("actual-size").GetInt64() + 64 * 1024,
            "our dynamic VHD allocates more than qemu's");
    }

    private static void AssertSparseFixed(string ours, long virtualSize)
    {
        Assert.Equal(virtualSize + 512, new FileInfo(ours).Length);
        using var info = QemuImg.Info(ours, "vpc");
        var allocated = info.RootElement.GetProperty("actual-size").GetInt64();
        Assert.True(allocated < virtualSize / 4, $"fixed VHD allocates {allocated} bytes of {virtualSize}: zero ranges were written");
    }

    private static long CountNonZeroBlocks(string path)
    {
        using var file = File.OpenHandle(path);
        var length = RandomAccess.GetLength(file);
        var block = new byte[BlockSize];
        long count = 0;
        for (long offset = 0; offset < length; offset += BlockSize)
        {
            var n = (int)Math.Min(BlockSize, length - offset);
            var read = 0;
            while (read < n)
            {
                read += RandomAccess.Read(file, block.AsSpan(read, n - read), offset + read);
            }

            if (block.AsSpan(0, n).IndexOfAnyExcept((byte)0) >= 0)
            {
                count++;
            }
        }

        return count;
    }
}
