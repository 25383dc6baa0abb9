using System.Text.RegularExpressions;
using Imago.Formats.Tests.Conversion;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Cli;

public sealed partial class ConvertCommandTests
{
    [Fact]
    public async Task Raw_to_raw_with_progress_lines_equals_the_source()
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        var target = dir.File("dst.raw");
        SparseRawImage.Create(source, 32 << 20, runs: 30, runLength: 300_000, seed: 70);

        var result = await ImagoCli.RunAsync("img", "convert", "-p", "-f", "raw", "-O", "raw", source, target);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StdOut);
        var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.Matches(ProgressLine(), line));
        Assert.Equal("    (100.00/100%)", lines[^1]);
        var percents = lines.Select(l => double.Parse(ProgressLine().Match(l).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(percents.Order(), percents);
        Assert.True(QemuImg.Compare(source, "raw", target, "raw"));
        Assert.True(SparseRawImage.AllocatedBytes(target) < 16 << 20);
    }

    [Theory]
    [InlineData("raw", null)]
    [InlineData("qcow2", null)]
    [InlineData("vpc", "subformat=fixed")]
    [InlineData("vpc", "subformat=dynamic")]
    public async Task Cache_mode_unsafe_writes_the_same_image_over_an_existing_file(string format, string? options)
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        var target = dir.File("dst.img");
        SparseRawImage.Create(source, 16 << 20, runs: 12, runLength: 200_000, seed: 73);
        await File.WriteAllTextAsync(target, "an older file that must be replaced whole");

        string[] args = options is null
            ? ["img", "convert", "-t", "unsafe", "-f", "raw", "-O", format, source, target]
            : ["img", "convert", "-t", "unsafe", "-f", "raw", "-O", format, "-o", options, source, target];
        var result = await ImagoCli.RunAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.True(QemuImg.Compare(target, format, source, "raw"));
        Assert.Equal(["dst.img", "src.raw"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task An_unknown_cache_mode_is_refused_in_one_line()
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        SparseRawImage.Create(source, 1 << 20, runs: 1, runLength: 4096, seed: 74);

        var result = await ImagoCli.RunAsync("img", "convert", "-t", "sometimes", "-O", "raw", source, dir.File("dst.raw"));

        Assert.NotEqual(0, result.ExitCode);
        ImagoCli.AssertOneLineError(result, "cache mode");
        Assert.False(File.Exists(dir.File("dst.raw")));
    }

    [Fact]
    public async Task On_a_terminal_progress_is_a_bar()
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        SparseRawImage.Create(source, 4 << 20, runs: 3, runLength: 70_000, seed: 71);
        SparseRawImage.WriteAt(source, (4 << 20) - 4096, [.. Enumerable.Repeat((byte)1, 4096)]); // data up to the end

        var result = await ImagoCli.RunAsync(["img", "convert", "-p", "-O", "raw", source, dir.File("dst.raw")], terminal: true);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("\r[", result.StdErr);
        Assert.EndsWith("] 100.00%\n", result.StdErr);
        Assert.Single(result.StdErr.Split("100.00%"), part => part.Length > 0 && !part.StartsWith('\n'));
    }

    [Fact]
    public async Task Cancelling_leaves_no_destination()
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        SparseRawImage.Create(source, 4 << 20, runs: 3, runLength: 70_000, seed: 72);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var result = await ImagoCli.RunAsync(["img", "convert", "-O", "raw", source, dir.File("dst.raw")], cts.Token);

        Assert.Equal(130, result.ExitCode);
        ImagoCli.AssertOneLineError(result, "cancelled");
        Assert.Equal(["src.raw"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("-O", "vmdk")]
    [InlineData("-O", "nonsense")]
    [InlineData("-o", "nonsense=1")]
    [InlineData("-o", "subformat=fixed")]
    [InlineData("-o", "cluster_size=3k")]
    [InlineData("-c", null)]
    public async Task Bad_options_get_one_line_and_write_nothing(string option, string? value)
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        SparseRawImage.Create(source, 1 << 20, runs: 1, runLength: 512, seed: 73);
        string[] args = option switch
        {
            "-O" => ["img", "convert", "-O", value!, source, dir.File("dst")],
            "-c" => ["img", "convert", "-c", "-O", "raw", source, dir.File("dst")],
            _ => ["img", "convert", "-O", option == "-o" && value!.StartsWith("cluster", StringComparison.Ordinal) ? "qcow2" : "raw", "-o", value!, source, dir.File("dst")],
        };

        var result = await ImagoCli.RunAsync(args);

        ImagoCli.AssertOneLineError(result);
        Assert.False(File.Exists(dir.File("dst")));
    }

    [Fact]
    public async Task A_missing_source_gets_one_line()
    {
        using var dir = new TempDirectory();

        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "convert", "-O", "raw", dir.File("missing.raw"), dir.File("dst")),
            "No such file");
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    /// <summary>Needs the qcow2 and VHD writers: every output passes qemu-img check (qcow2) and compares equal.</summary>
    [Theory]
    [InlineData("qcow2", null)]
    [InlineData("qcow2", "-c")]
    [InlineData("vpc", "subformat=fixed,force_size")]
    [InlineData("vhd", "subformat=dynamic")]
    public async Task Raw_to_other_formats_passes_qemu_img(string format, string? options)
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        var target = dir.File("dst.img");
        SparseRawImage.Create(source, 12 << 20, runs: 10, runLength: 100_000, seed: 74);
        var args = new List<string> { "img", "convert", "-f", "raw", "-O", format };
        if (options == "-c")
        {
            args.Add("-c");
        }
        else if (options is not null)
        {
            args.AddRange(["-o", options]);
        }

        args.AddRange([source, target]);
        var result = await ImagoCli.RunAsync([.. args]);

        Assert.Equal(0, result.ExitCode);
        var qemuFormat = format == "vhd" ? "vpc" : format;
        if (qemuFormat == "qcow2")
        {
            Assert.Equal(0, QemuImg.Check(target, qemuFormat).ExitCode);
        }

        Assert.True(QemuImg.Compare(source, "raw", target, qemuFormat));
    }

    [GeneratedRegex(@"^    \((\d{1,3}\.\d\d)/100%\)$")]
    private static partial Regex ProgressLine();
}
