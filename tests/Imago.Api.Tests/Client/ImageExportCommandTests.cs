using Imago.Api.Tests.Infrastructure;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Api.Tests.Client;

/// <summary><c>imago image export</c> against a running server: ExportImage, wait, download; the files equal the originals.</summary>
public sealed class ImageExportCommandTests(ImagoServer server) : IClassFixture<ImagoServer>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Disk(string name, string format, byte pattern, long size = 32L << 20) => ClientRun.MakeDisk(_temp.Path, name, format, pattern, size);

    [Fact]
    public async Task An_image_exports_and_downloads_one_file_per_disk_equal_to_its_originals()
    {
        var run = new ClientRun(server, await server.CreateAccountAsync());
        var system = Disk("sys.qcow2", "qcow2", 0x71);
        var data = Disk("extra.raw", "raw", 0x17, 16L << 20);
        var bucket = "exp-" + Guid.NewGuid().ToString("N")[..12];
        var imageId = (await run.SucceedAsync("import", system, "--bucket", bucket, "--data-disk", data)).Trim();

        var output = Path.Combine(_temp.Path, "exports");
        var (exitCode, stdout, error) = await run.RunAsync("export", imageId, "--bucket", bucket, "--prefix", "Cli", "--format", "qcow2", "--output", output);
        Assert.True(exitCode == 0, error);
        var files = stdout.TrimEnd('\n').Split('\n');
        var systemFile = Path.Combine(output, $"Cli_{imageId}_system.qcow2");
        var dataFile = Path.Combine(output, $"Cli_{imageId}_data_xvdb.qcow2");
        Assert.Equal([systemFile, dataFile], files);
        Assert.Contains($"exporting {imageId}", error, StringComparison.Ordinal);
        Assert.Contains($"downloading {bucket}/Cli_{imageId}_system.qcow2", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output, "*.tmp-*"));
        foreach (var (file, original, format) in new[] { (systemFile, system, "qcow2"), (dataFile, data, "raw") })
        {
            Assert.Equal(0, QemuImg.Check(file, "qcow2").ExitCode);
            Assert.True(QemuImg.Compare(original, format, file, "qcow2"), $"{file} differs from {original}");
        }

        // One disk, one file: --output names it.
        var single = (await run.SucceedAsync("import", data, "--bucket", bucket, "--key", "single.raw")).Trim();
        var target = Path.Combine(_temp.Path, "single.vhd");
        Assert.Equal(target + "\n", await run.SucceedAsync("export", single, "--bucket", bucket, "--format", "vhd", "--output", target));
        Assert.True(QemuImg.Compare(data, "raw", target, "vpc"));
    }

    [Fact]
    public async Task An_export_refused_by_the_service_is_one_line()
    {
        var run = new ClientRun(server, await server.CreateAccountAsync());
        var (exitCode, stdout, error) = await run.RunAsync("export", "m-doesnotexist0000000", "--bucket", "exp-" + Guid.NewGuid().ToString("N")[..12]);
        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Matches(@"^imago: ExportImage: InvalidImageId\.NotFound: .+\n$", error);
        (exitCode, _, error) = await run.RunAsync("export", "m-x", "--bucket", "exp-bucket-a", "--format", "vmdk");
        Assert.Equal((1, "imago: --format 'vmdk' is not one of raw, vhd, qcow2\n"), (exitCode, error));
    }
}
