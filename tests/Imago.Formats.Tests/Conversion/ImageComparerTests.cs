using System.Text.RegularExpressions;
using Imago.Formats.Conversion;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Conversion;

/// <summary>ImageComparer against qemu-img compare (non-strict) on the same files.</summary>
public sealed partial class ImageComparerTests
{
    [Fact]
    public async Task Equal_content_is_identical_like_qemu_img()
    {
        using var dir = new TempDirectory();
        var a = dir.File("a.raw");
        var b = dir.File("b.raw");
        SparseRawImage.Create(a, 8 << 20, runs: 5, runLength: 30_000, seed: 20);
        File.Copy(a, b);

        Assert.Null(await CompareAsync(a, b));
        Assert.Null(QemuMismatch(a, b));
    }

    [Fact]
    public async Task A_changed_byte_is_reported_at_qemu_img_s_offset()
    {
        using var dir = new TempDirectory();
        var a = dir.File("a.raw");
        var b = dir.File("b.raw");
        SparseRawImage.Create(a, 8 << 20, runs: 5, runLength: 30_000, seed: 21);
        File.Copy(a, b);
        SparseRawImage.WriteAt(b, (5 << 20) + 777, [0x42]); // inside a hole of a, data in b

        var expected = QemuMismatch(a, b);
        Assert.NotNull(expected);
        Assert.Equal(expected, await CompareAsync(a, b));
        Assert.Equal(expected, await CompareAsync(b, a));
    }

    [Fact]
    public async Task A_difference_inside_data_is_reported_at_qemu_img_s_offset()
    {
        using var dir = new TempDirectory();
        var a = dir.File("a.raw");
        var b = dir.File("b.raw");
        var data = new byte[1 << 20];
        new Random(22).NextBytes(data);
        SparseRawImage.Create(a, 4 << 20, runs: 0, runLength: 0, seed: 0);
        SparseRawImage.WriteAt(a, 1 << 20, data);
        File.Copy(a, b);
        SparseRawImage.WriteAt(b, (1 << 20) + 300_001, [(byte)(data[300_001] ^ 0xff)]);

        Assert.Equal(QemuMismatch(a, b), await CompareAsync(a, b));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Different_sizes_compare_the_tail_like_qemu_img(bool dirtyTail)
    {
        using var dir = new TempDirectory();
        var small = dir.File("small.raw");
        var large = dir.File("large.raw");
        SparseRawImage.Create(small, 4 << 20, runs: 3, runLength: 20_000, seed: 23);
        File.Copy(small, large);
        using (var handle = File.OpenHandle(large, FileMode.Open, FileAccess.Write))
        {
            RandomAccess.SetLength(handle, 6 << 20);
        }

        if (dirtyTail)
        {
            SparseRawImage.WriteAt(large, (5 << 20) + 1000, [1, 2, 3]);
        }

        var expected = QemuMismatch(small, large);
        Assert.Equal(dirtyTail, expected is not null);
        Assert.Equal(expected, await CompareAsync(small, large));
        Assert.Equal(expected, await CompareAsync(large, small));
    }

    /// <summary>Needs the qcow2 reader: a qcow2 copy compares equal to its raw source, and a change is found where qemu finds it.</summary>
    [Fact]
    public async Task Qcow2_against_raw_agrees_with_qemu_img()
    {
        using var dir = new TempDirectory();
        var raw = dir.File("a.raw");
        var qcow2 = dir.File("a.qcow2");
        SparseRawImage.Create(raw, 8 << 20, runs: 6, runLength: 50_000, seed: 24);
        QemuImg.Convert(raw, "raw", qcow2, "qcow2");
        SparseRawImage.WriteAt(raw, 7 << 20, [9]);

        var expected = QemuMismatch(raw, qcow2, "qcow2");
        Assert.NotNull(expected);
        await using var first = await DiskImages.OpenAsync(raw, ImageFormat.Raw);
        await using var second = await DiskImages.OpenAsync(qcow2, ImageFormat.Qcow2);
        Assert.Equal(expected, (await ImageComparer.CompareAsync(first, second)).FirstDifference);
    }

    private static async Task<long?> CompareAsync(string a, string b)
    {
        await using var first = await DiskImages.OpenAsync(a, ImageFormat.Raw);
        await using var second = await DiskImages.OpenAsync(b, ImageFormat.Raw);
        return (await ImageComparer.CompareAsync(first, second)).FirstDifference;
    }

    /// <summary>qemu-img compare's verdict: null when identical, else the offset it prints.</summary>
    internal static long? QemuMismatch(string a, string b, string bFormat = "raw")
    {
        var result = QemuImg.Run("compare", "-f", "raw", "-F", bFormat, a, b);
        if (result.ExitCode == 0)
        {
            return null;
        }

        Assert.Equal(1, result.ExitCode);
        return long.Parse(Mismatch().Match(result.StdOut).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Content mismatch at offset (\d+)!")]
    private static partial Regex Mismatch();
}
