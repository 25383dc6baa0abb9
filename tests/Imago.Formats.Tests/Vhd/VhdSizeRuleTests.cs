using System.Buffers.Binary;
using Imago.Formats.Tests.Infrastructure;
using Imago.Formats.Vhd;

namespace Imago.Formats.Tests.Vhd;

/// <summary>
/// current_size versus CHS: a footer whose two sizes disagree must give the size qemu-img reports,
/// whichever the creator app selects.
/// </summary>
public sealed class VhdSizeRuleTests
{
    private const long CurrentSize = 100L * 1024 * 1024;

    [Theory]
    [InlineData("subformat=dynamic,force_size=on", "win ")]
    [InlineData("subformat=dynamic,force_size=on", "vpc ")]
    [InlineData("subformat=dynamic,force_size=on", "qemu")]
    [InlineData("subformat=dynamic,force_size=on", "d2v ")]
    [InlineData("subformat=dynamic,force_size=on", "tap\0")]
    [InlineData("subformat=fixed,force_size=on", "win ")]
    [InlineData("subformat=fixed,force_size=on", "vpc ")]
    [InlineData("subformat=fixed,force_size=on", "CTXS")]
    public async Task VirtualSizeFollowsQemusCreatorTable(string options, string creatorApp)
    {
        using var dir = new TempDirectory();
        var vhd = dir.File("disk.vhd");
        var raw = dir.File("disk.raw");
        VhdTestFiles.CreateWithPattern(vhd, CurrentSize, options);

        // A real geometry for 100 MiB describes fewer sectors than current_size (204800 sectors).
        var geometry = VhdGeometry.FromSectors(CurrentSize / 512);
        Assert.True(geometry.TotalSectors * 512 < CurrentSize);
        VhdTestFiles.PatchFooter(vhd, footer =>
        {
            "    "u8.CopyTo(footer.AsSpan(28));
            System.Text.Encoding.Latin1.GetBytes(creatorApp).CopyTo(footer, 28);
            BinaryPrimitives.WriteUInt16BigEndian(footer.AsSpan(56), geometry.Cylinders);
            footer[58] = geometry.Heads;
            footer[59] = geometry.SectorsPerTrack;
        });

        var qemuSize = VhdTestFiles.QemuVirtualSize(vhd);
        var usesCurrentSize = creatorApp is "win " or "d2v " or "tap\0" or "CTXS";
        Assert.Equal(usesCurrentSize ? CurrentSize : geometry.TotalSectors * 512, qemuSize);

        QemuImg.Convert(vhd, "vpc", raw, "raw");
        await using var image = await VhdTestFiles.OpenAsync(vhd);
        Assert.Equal(qemuSize, image.VirtualSize);
        await DiskAssert.EqualsRawFileAsync(image, raw);
    }

    [Fact]
    public async Task MaximumGeometryMeansCurrentSizeWhateverTheCreator()
    {
        using var dir = new TempDirectory();
        var vhd = dir.File("disk.vhd");
        VhdTestFiles.CreateWithPattern(vhd, CurrentSize, "subformat=dynamic,force_size=on");
        VhdTestFiles.PatchFooter(vhd, footer => "vpc "u8.CopyTo(footer.AsSpan(28)));

        Assert.Equal(CurrentSize, VhdTestFiles.QemuVirtualSize(vhd));
        await using var image = await VhdTestFiles.OpenAsync(vhd);
        Assert.Equal(CurrentSize, image.VirtualSize);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(34604544L)]
    [InlineData(104857600L)]
    [InlineData(1073742336L)]
    [InlineData(140L * 1024 * 1024 * 1024)]
    public void RoundedGeometryMatchesQemuCreate(long size)
    {
        using var dir = new TempDirectory();
        var vhd = dir.File("disk.vhd");
        QemuImg.Create(vhd, "vpc", size);
        var sectors = (size + 511) / 512;
        var geometry = VhdGeometry.RoundUp(sectors);
        var expected = geometry.IsMaximum ? sectors * 512 : geometry.TotalSectors * 512;
        Assert.Equal(VhdTestFiles.QemuVirtualSize(vhd), expected);

        var head = new byte[512];
        using (var file = File.OpenRead(vhd))
        {
            file.ReadExactly(head);
        }

        Assert.Equal(geometry.Cylinders, BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(56)));
        Assert.Equal(geometry.Heads, head[58]);
        Assert.Equal(geometry.SectorsPerTrack, head[59]);
    }
}
