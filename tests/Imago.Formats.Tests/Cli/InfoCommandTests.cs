using System.Text.Json;
using Imago.Formats.Tests.Conversion;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Cli;

public sealed class InfoCommandTests
{
    [Fact]
    public async Task Raw_json_has_qemu_img_s_fields_and_values()
    {
        using var dir = new TempDirectory();
        var path = dir.File("disk.raw");
        SparseRawImage.Create(path, 10 << 20, runs: 4, runLength: 50_000, seed: 60);

        var result = await ImagoCli.RunAsync("img", "info", "--output", "json", path);

        Assert.Equal(0, result.ExitCode);
        using var ours = JsonDocument.Parse(result.StdOut);
        using var theirs = QemuImg.Info(path, "raw");
        AssertSameJson(theirs.RootElement, ours.RootElement);
    }

    [Fact]
    public async Task Raw_human_output_matches_qemu_img()
    {
        using var dir = new TempDirectory();
        var path = dir.File("disk.raw");
        SparseRawImage.Create(path, 10 << 20, runs: 4, runLength: 50_000, seed: 61);

        var result = await ImagoCli.RunAsync("img", "info", "-f", "raw", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(QemuImg.Run("info", "-f", "raw", path).EnsureSuccess("qemu-img info").StdOut, result.StdOut);
    }

    /// <summary>Needs the qcow2 and VHD readers.</summary>
    [Theory]
    [InlineData("qcow2", null)]
    [InlineData("qcow2", "compat=0.10")]
    [InlineData("qcow2", "cluster_size=2M,lazy_refcounts=on")]
    [InlineData("vpc", "subformat=dynamic")]
    [InlineData("vpc", "subformat=fixed")]
    public async Task Json_matches_qemu_img_for_images_qemu_wrote(string format, string? options)
    {
        using var dir = new TempDirectory();
        var path = dir.File("disk.img");
        QemuImg.Create(path, format, 30 << 20, options);
        QemuImg.IoCommands(path, format, "write -P 0x5a 1M 128k");

        var result = await ImagoCli.RunAsync("img", "info", "--output=json", path);

        Assert.Equal(0, result.ExitCode);
        using var ours = JsonDocument.Parse(result.StdOut);
        using var theirs = QemuImg.Info(path, format);
        AssertSameJson(theirs.RootElement, ours.RootElement);
    }

    [Fact]
    public async Task Refused_formats_get_one_line()
    {
        using var dir = new TempDirectory();
        var path = dir.File("disk.raw");
        SparseRawImage.Create(path, 1 << 20, runs: 1, runLength: 512, seed: 62);

        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "info", "-f", "vmdk", path), "VMDK");
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "info", "-f", "nonsense", path), "nonsense");
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "info", "--output", "xml", path), "--output");
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "info", "-x", path), "-- 'x'");
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "info"), "file name");
    }

    /// <summary>Needs the inspector: detection refuses a VMDK by name (no -f given).</summary>
    [Fact]
    public async Task A_vmdk_file_is_refused_by_content()
    {
        using var dir = new TempDirectory();
        var path = dir.File("disk.img");
        QemuImg.Create(path, "vmdk", 10 << 20);

        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "info", path), "VMDK");
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "convert", "-O", "raw", path, dir.File("out.raw")), "VMDK");
        Assert.False(File.Exists(dir.File("out.raw")));
    }

    /// <summary>Needs the inspector: a qcow2 cut inside its header is refused in one line by every command.</summary>
    [Fact]
    public async Task A_truncated_qcow2_gets_one_line_from_every_command()
    {
        using var dir = new TempDirectory();
        var path = dir.File("cut.qcow2");
        QemuImg.Create(path, "qcow2", 10 << 20);
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write))
        {
            RandomAccess.SetLength(handle, 50);
        }

        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "info", path), "qcow2");
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "map", "--output", "json", path), "qcow2");
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "measure", "-O", "raw", path), "qcow2");
        ImagoCli.AssertOneLineError(await ImagoCli.RunAsync("img", "convert", "-O", "raw", path, dir.File("out.raw")), "qcow2");
        var compare = await ImagoCli.RunAsync("img", "compare", path, path);
        Assert.Equal(2, compare.ExitCode);
        ImagoCli.AssertOneLineError(compare, "qcow2");
        Assert.False(File.Exists(dir.File("out.raw")));
    }

    /// <summary>Same keys at every level, same values except where only the key must match.</summary>
    internal static void AssertSameJson(JsonElement expected, JsonElement actual, string path = "$")
    {
        Assert.Equal(expected.ValueKind, actual.ValueKind);
        if (expected.ValueKind == JsonValueKind.Object)
        {
            var expectedKeys = expected.EnumerateObject().Select(p => p.Name).Order().ToList();
            var actualKeys = actual.EnumerateObject().Select(p => p.Name).Order().ToList();
            Assert.True(expectedKeys.SequenceEqual(actualKeys),
                $"{path}: qemu-img has [{string.Join(", ", expectedKeys)}], imago has [{string.Join(", ", actualKeys)}]");
            foreach (var property in expected.EnumerateObject())
            {
                AssertSameJson(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}");
            }
        }
        else
        {
            Assert.True(expected.GetRawText() == actual.GetRawText(),
                $"{path}: qemu-img says {expected.GetRawText()}, imago says {actual.GetRawText()}");
        }
    }
}
