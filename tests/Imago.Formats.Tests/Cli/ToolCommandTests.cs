using System.Text.Json;
using Imago.Formats.Tests.Conversion;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Cli;

/// <summary>check, compare, measure and map: exit codes and output against qemu-img's on the same files.</summary>
public sealed class ToolCommandTests
{
    [Fact]
    public async Task Check_on_raw_exits_63_like_qemu_img()
    {
        using var dir = new TempDirectory();
        var path = dir.File("disk.raw");
        SparseRawImage.Create(path, 1 << 20, runs: 1, runLength: 512, seed: 80);

        var result = await ImagoCli.RunAsync("img", "check", "-f", "raw", path);

        Assert.Equal(QemuImg.Check(path, "raw").ExitCode, result.ExitCode);
        Assert.Equal(63, result.ExitCode);
        ImagoCli.AssertOneLineError(result, "does not support checks");
    }

    /// <summary>Needs the qcow2 checker: clean image, qemu-img's JSON names and exit code.</summary>
    [Fact]
    public async Task Check_json_on_qcow2_matches_qemu_img()
    {
        using var dir = new TempDirectory();
        var path = dir.File("disk.qcow2");
        QemuImg.Create(path, "qcow2", 20 << 20);
        QemuImg.IoCommands(path, "qcow2", "write -P 1 0 64k", "write -P 2 5M 200k");

        var result = await ImagoCli.RunAsync("img", "check", "--output", "json", path);
        var (exitCode, report) = QemuImg.Check(path, "qcow2");

        Assert.Equal(exitCode, result.ExitCode);
        using var ours = JsonDocument.Parse(result.StdOut);
        var theirs = report!.RootElement;
        Assert.Equal(theirs.EnumerateObject().Select(p => p.Name).Order(), ours.RootElement.EnumerateObject().Select(p => p.Name).Order());
        foreach (var name in new[] { "check-errors", "filename", "format", "image-end-offset", "total-clusters", "allocated-clusters" })
        {
            Assert.Equal(theirs.GetProperty(name).GetRawText(), ours.RootElement.GetProperty(name).GetRawText());
        }
    }

    [Fact]
    public async Task Compare_prints_and_exits_like_qemu_img()
    {
        using var dir = new TempDirectory();
        var a = dir.File("a.raw");
        var b = dir.File("b.raw");
        SparseRawImage.Create(a, 6 << 20, runs: 4, runLength: 40_000, seed: 81);
        File.Copy(a, b);

        var same = await ImagoCli.RunAsync("img", "compare", "-f", "raw", "-F", "raw", a, b);
        var qemuSame = QemuImg.Run("compare", "-f", "raw", "-F", "raw", a, b);
        Assert.Equal((qemuSame.ExitCode, qemuSame.StdOut), (same.ExitCode, same.StdOut));

        SparseRawImage.WriteAt(b, 3_000_000, [1]);
        var different = await ImagoCli.RunAsync("img", "compare", a, b);
        var qemuDifferent = QemuImg.Run("compare", "-f", "raw", "-F", "raw", a, b);
        Assert.Equal(1, different.ExitCode);
        Assert.Equal((qemuDifferent.ExitCode, qemuDifferent.StdOut), (different.ExitCode, different.StdOut));
    }

    [Fact]
    public async Task Compare_errors_exit_2()
    {
        using var dir = new TempDirectory();
        var a = dir.File("a.raw");
        SparseRawImage.Create(a, 1 << 20, runs: 1, runLength: 512, seed: 82);

        var result = await ImagoCli.RunAsync("img", "compare", a, dir.File("missing.raw"));

        Assert.Equal(2, result.ExitCode);
        ImagoCli.AssertOneLineError(result, "No such file");
    }

    [Theory]
    [InlineData("qcow2", null, "json")]
    [InlineData("qcow2", "cluster_size=1M", "human")]
    [InlineData("raw", null, "json")]
    public async Task Measure_prints_what_qemu_img_prints(string format, string? options, string output)
    {
        using var dir = new TempDirectory();
        var path = dir.File("disk.raw");
        SparseRawImage.Create(path, 30 << 20, runs: 15, runLength: 70_000, seed: 83);
        var args = new List<string> { "measure", "-f", "raw", "-O", format, "--output", output };
        if (options is not null)
        {
            args.AddRange(["-o", options]);
        }

        args.Add(path);
        var result = await ImagoCli.RunAsync(["img", .. args]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(QemuImg.Run([.. args]).EnsureSuccess("qemu-img measure").StdOut.TrimEnd(), result.StdOut.TrimEnd());
    }

    [Fact]
    public async Task Measure_with_a_size_prints_what_qemu_img_prints()
    {
        var result = await ImagoCli.RunAsync("img", "measure", "-O", "qcow2", "--size", "10G");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(QemuImg.Run("measure", "-O", "qcow2", "--size", "10G").EnsureSuccess("qemu-img measure").StdOut, result.StdOut);
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "measure", "-O", "qcow2"), "--size");
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "measure", "-O", "qcow2", "--size", "ten"), "size");
    }

    [Theory]
    [InlineData("json")]
    [InlineData("human")]
    public async Task Map_prints_what_qemu_img_prints_for_raw(string output)
    {
        using var dir = new TempDirectory();
        var path = dir.File("disk.raw");
        SparseRawImage.Create(path, 20 << 20, runs: 8, runLength: 100_000, seed: 84);

        var result = await ImagoCli.RunAsync("img", "map", "-f", "raw", "--output", output, path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(QemuImg.Run("map", "-f", "raw", "--output", output, path).EnsureSuccess("qemu-img map").StdOut, result.StdOut);
    }

    [Fact]
    public async Task Map_of_an_empty_disk_prints_what_qemu_img_prints()
    {
        using var dir = new TempDirectory();
        var path = dir.File("empty.raw");
        await File.WriteAllBytesAsync(path, []);

        var result = await ImagoCli.RunAsync("img", "map", "-f", "raw", "--output=json", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(QemuImg.Run("map", "-f", "raw", "--output=json", path).EnsureSuccess("qemu-img map").StdOut, result.StdOut);
    }

    /// <summary>Needs the qcow2 reader.</summary>
    [Fact]
    public async Task Map_json_prints_what_qemu_img_prints_for_qcow2()
    {
        using var dir = new TempDirectory();
        var raw = dir.File("disk.raw");
        var path = dir.File("disk.qcow2");
        SparseRawImage.Create(raw, 20 << 20, runs: 8, runLength: 100_000, seed: 85);
        QemuImg.Convert(raw, "raw", path, "qcow2");

        var result = await ImagoCli.RunAsync("img", "map", "--output", "json", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(QemuImg.Run("map", "-f", "qcow2", "--output", "json", path).EnsureSuccess("qemu-img map").StdOut, result.StdOut);
    }

    [Fact]
    public async Task Unknown_commands_and_help()
    {
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "rebase"), "unknown command");
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("frobnicate"), "unknown command");
        var help = await ImagoCli.RunAsync("img", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("convert", help.StdOut);
    }

    [Fact]
    public void The_built_executable_reports_a_missing_file_in_one_line()
    {
        using var dir = new TempDirectory();

        var result = ImagoCli.RunProcess("img", "info", dir.File("missing.qcow2"));

        Assert.Equal(1, result.ExitCode);
        ImagoCli.AssertOneLineError(result, "No such file");
        Assert.Equal("", result.StdOut);
    }
}
