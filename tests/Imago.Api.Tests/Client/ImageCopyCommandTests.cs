using Imago.Api.Tests.Infrastructure;
using Imago.Formats.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Client;

/// <summary><c>imago image copy</c> against a running server: CopyImage, --wait until the copy is Available, its bytes equal the source's.</summary>
public sealed class ImageCopyCommandTests(ImagoServer server) : IClassFixture<ImagoServer>, IDisposable
{
    private const string Destination = "cn-shanghai";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_copy_with_wait_ends_available_in_the_destination_with_the_sources_bytes()
    {
        var account = await server.CreateAccountAsync();
        var run = new ClientRun(server, account);
        var disk = Path.Combine(_temp.Path, "copy-me.qcow2");
        QemuImg.Create(disk, "qcow2", 32L << 20, null);
        QemuImg.IoCommands(disk, "qcow2", "write -P 0x2c 2M 128k");
        var bucket = "cp-" + Guid.NewGuid().ToString("N")[..12];
        var source = (await run.SucceedAsync("import", disk, "--bucket", bucket)).Trim();

        var (exitCode, stdout, error) = await run.RunAsync("copy", source, "--to", Destination, "--name", "copied-by-cli", "--wait");
        Assert.True(exitCode == 0, error);
        var copyId = stdout.Trim();
        Assert.StartsWith("m-", copyId, StringComparison.Ordinal);
        Assert.NotEqual(source, copyId);
        Assert.Contains($"copying to {Destination} as {copyId}", error, StringComparison.Ordinal);
        Assert.Contains("(100.00/100%)", error, StringComparison.Ordinal);

        var images = await server.ClientFor(account).CallOkAsync("DescribeImages", Params(("RegionId", Destination), ("ImageId", copyId)));
        var copy = images["Images"]!["Image"]!.AsArray().Single()!;
        Assert.Equal(("Available", "copied-by-cli", true), (Text(copy, "Status"), Text(copy, "ImageName"), copy["IsCopied"]!.GetValue<bool>()));

        // The copy's bytes, exported from the destination region, are the file's.
        var exported = Path.Combine(_temp.Path, "copy.raw");
        await run.SucceedAsync("export", copyId, "--region", Destination, "--bucket", bucket + "-sh", "--output", exported);
        Assert.True(QemuImg.Compare(disk, "qcow2", exported, "raw"));

        // Without --wait: the id at once; a refused copy is one line.
        var quick = (await run.SucceedAsync("copy", source, "--to", Destination)).Trim();
        Assert.StartsWith("m-", quick, StringComparison.Ordinal);
        (exitCode, _, error) = await run.RunAsync("copy", "m-doesnotexist0000000", "--to", Destination, "--wait");
        Assert.Equal(1, exitCode);
        Assert.Matches(@"^imago: CopyImage: InvalidImageId\.NotFound: .+\n$", error);
    }
}
