using Imago.Formats.IO;
using Imago.Formats.Tests.Infrastructure;
using Imago.Formats.Vhd;

namespace Imago.Formats.Tests.Vhd;

/// <summary>
/// qemu-img check does not support vpc (exit 63), so the checker is checked on images qemu made (clean) and on
/// the same images damaged in known ways.
/// </summary>
public sealed class VhdCheckerTests
{
    [Fact]
    public void QemuImgCheckDoesNotSupportVpc()
    {
        using var dir = new TempDirectory();
        var path = dir.File("d.vhd");
        QemuImg.Create(path, "vpc", 1 << 20);
        Assert.Equal(63, QemuImg.Check(path, "vpc").ExitCode);
    }

    [Theory]
    [InlineData("subformat=dynamic")]
    [InlineData("subformat=fixed")]
    [InlineData("subformat=dynamic,force_size=on")]
    public async Task ImagesQemuWroteAreClean(string options)
    {
        using var dir = new TempDirectory();
        var path = dir.File("d.vhd");
        var virtualSize = VhdTestFiles.CreateWithPattern(path, 100L * 1024 * 1024, options);

        var report = await CheckFileAsync(path);
        Assert.Equal(0, report.ExitCode);
        Assert.Equal(0, report.Corruptions);
        Assert.Equal(0, report.Leaks);
        if (options.Contains("dynamic"))
        {
            var dataBlocks = VhdTestFiles.QemuMap(path).Where(e => e.GetProperty("data").GetBoolean())
                .Sum(e => (e.GetProperty("length").GetInt64() + (2 << 20) - 1) / (2 << 20));
            Assert.Equal(dataBlocks, report.AllocatedClusters);
            Assert.Equal((virtualSize + (2 << 20) - 1) / (2 << 20), report.TotalClusters);
            Assert.Equal(new FileInfo(path).Length, report.ImageEndOffset);
        }
    }

    [Theory]
    [InlineData("subformat=dynamic")]
    [InlineData("subformat=fixed,force_size")]
    public async Task ImagesWeWroteAreClean(string options)
    {
        using var dir = new TempDirectory();
        var source = dir.File("s.raw");
        var path = dir.File("d.vhd");
        VhdWriterTests.CreateRawSource(source, 50L * 1024 * 1024);
        await using (var writer = await DiskImages.CreateAsync(path, ImageFormat.Vhd, 50L * 1024 * 1024, ImageCreateOptions.Parse(options)))
        {
            await VhdWriterTests.CopyAsync(source, writer, 1 << 20);
            await writer.CompleteAsync();
        }

        var report = await CheckFileAsync(path);
        Assert.Equal(0, report.ExitCode);
        Assert.Empty(report.Messages);
    }

    [Fact]
    public async Task BadFooterChecksumIsCorruption()
    {
        var image = VhdCorpus.Dynamic();
        VhdCorpus.PatchFooters(image, f => f[100] ^= 0x5A, fixChecksum: false);
        var report = await CheckAsync(image);
        Assert.Equal(2, report.ExitCode);
        Assert.Contains(report.Messages, m => m.Contains("checksum"));
    }

    [Fact]
    public async Task FooterCopiesThatDifferAreCorruption()
    {
        var image = VhdCorpus.Dynamic();
        var tail = image.AsSpan(image.Length - 512).ToArray();
        tail[90] = 1; // inside the reserved area, checksum fixed: a valid footer that is not the copy's twin
        VhdTestFiles.SetChecksum(tail, 64);
        tail.CopyTo(image, image.Length - 512);
        var report = await CheckAsync(image);
        Assert.Equal(1, report.Corruptions);
        Assert.Contains(report.Messages, m => m.Contains("differs"));
    }

    [Fact]
    public async Task BadHeaderChecksumIsCorruption()
    {
        var image = VhdCorpus.Dynamic();
        VhdCorpus.PatchHeader(image, h => h[600] ^= 1, fixChecksum: false);
        var report = await CheckAsync(image);
        Assert.Equal(1, report.Corruptions);
        Assert.Contains(report.Messages, m => m.Contains("dynamic header has checksum"));
    }

    [Fact]
    public async Task BatEntryPastTheEndIsCorruption()
    {
        var image = VhdCorpus.Dynamic();
        VhdCorpus.SetBatEntry(image, 1, 0x00FF_0000);
        var report = await CheckAsync(image);
        Assert.Equal(2, report.ExitCode);
        Assert.Contains(report.Messages, m => m.Contains("past the end"));
    }

    [Fact]
    public async Task BlocksSharingFileSpaceAreCorruption()
    {
        var image = VhdCorpus.Dynamic();
        VhdCorpus.SetBatEntry(image, 1, VhdCorpus.BatEntry(image, 0) + 1);
        var report = await CheckAsync(image);
        Assert.Equal(2, report.ExitCode);
        Assert.Contains(report.Messages, m => m.Contains("share file space"));
    }

    [Fact]
    public async Task BlockOverMetadataIsCorruption()
    {
        var image = VhdCorpus.Dynamic();
        VhdCorpus.SetBatEntry(image, 1, 2); // offset 1024: inside the dynamic header
        var report = await CheckAsync(image);
        Assert.Equal(2, report.ExitCode);
        Assert.Contains(report.Messages, m => m.Contains("overlaps the dynamic header"));
    }

    [Fact]
    public async Task ABlockNothingReachesIsALeak()
    {
        var image = VhdCorpus.Dynamic();
        VhdCorpus.SetBatEntry(image, 2, 0xFFFF_FFFF);
        var report = await CheckAsync(image);
        Assert.Equal(0, report.Corruptions);
        Assert.Equal(1, report.Leaks);
        Assert.Equal(3, report.ExitCode);
        Assert.Equal(1, report.AllocatedClusters);
    }

    [Fact]
    public async Task AMissingEndFooterIsCorruption()
    {
        var image = VhdCorpus.Dynamic();
        var cut = image.AsSpan(0, image.Length - 512).ToArray();
        var report = await CheckAsync(cut);
        Assert.Equal(2, report.ExitCode);
        Assert.Contains(report.Messages, m => m.Contains("no footer at the end"));
    }

    [Fact]
    public async Task DifferencingDisksAreRefused()
    {
        var image = VhdCorpus.Dynamic();
        VhdCorpus.PatchFooters(image, f => f[63] = 4);
        var e = await Assert.ThrowsAsync<ImageFormatException>(async () => await CheckAsync(image));
        Assert.Equal(ImageErrorKind.UnsupportedFormat, e.Kind);
        Assert.Contains("differencing", e.Message);
    }

    private static async Task<Formats.Checking.CheckReport> CheckFileAsync(string path)
    {
        using var source = FileByteSource.Open(path);
        return await VhdChecker.CheckAsync(source, CancellationToken.None);
    }

    private static async Task<Formats.Checking.CheckReport> CheckAsync(byte[] image)
    {
        using var source = new MemoryByteSource(image);
        return await VhdChecker.CheckAsync(source, CancellationToken.None);
    }
}
