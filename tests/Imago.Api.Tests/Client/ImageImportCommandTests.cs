using Imago.Api.Tests.Infrastructure;
using Imago.Api.Tests.Objects;
using Imago.Formats.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Client;

/// <summary><c>imago image import</c> against a running server: a qemu-img file to a bootable image in one step, and its failures.</summary>
public sealed class ImageImportCommandTests(ImagoServer server) : IClassFixture<ImagoServer>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Disk(string name, string format, byte pattern, long size = 64L << 20) => ClientRun.MakeDisk(_temp.Path, name, format, pattern, size);

    [Fact]
    public async Task A_qcow2_file_becomes_a_bootable_image_in_one_step()
    {
        var account = await server.CreateAccountAsync();
        var run = new ClientRun(server, account);
        var system = Disk("system.qcow2", "qcow2", 0x6c);
        var data = Disk("data.raw", "raw", 0x3d);
        var bucket = "cli-" + Guid.NewGuid().ToString("N")[..12];

        var (exitCode, output, error) = await run.RunAsync("import", system, "--bucket", bucket, "--name", "from-cli", "--format", "qcow2",
            "--platform", "Ubuntu", "--data-disk", data);
        Assert.True(exitCode == 0, error);
        var imageId = output.Trim();
        Assert.StartsWith("m-", imageId, StringComparison.Ordinal);
        Assert.Contains($"uploading {system} to {bucket}/system.qcow2", error, StringComparison.Ordinal);
        Assert.Contains($"importing {imageId}", error, StringComparison.Ordinal);
        Assert.Contains("(100.00/100%)", error, StringComparison.Ordinal);

        // The bucket was made for the caller, and nobody else sees it.
        var other = await server.CreateAccountAsync();
        (await new OssTestClient(server.Http, other.AccessKeyId, other.AccessKeySecret, Region).GetAsync(bucket, "system.qcow2")).AssertError("NoSuchBucket", 404);

        var client = server.ClientFor(account);
        var image = await ImageAsync(client, imageId);
        Assert.Equal(("Available", "from-cli", "Ubuntu"), (Text(image!, "Status"), Text(image!, "ImageName"), Text(image!, "Platform")));
        var disks = await DisksAsync(client, await RunInstanceAsync(client, imageId));
        Assert.Equal(2, disks.Length);
        await QemuIoAsync(Text(disks[0], "NbdUrl"), "read -P 0x6c 1M 64k", "read -P 0 0 1M");
        await QemuIoAsync(Text(disks[1], "NbdUrl"), "read -P 0x3d 1M 64k");

        // Importing again into the now existing bucket works too; ls lists both.
        var second = (await run.SucceedAsync("import", system, "--bucket", bucket, "--key", "again.qcow2")).Trim();
        var listing = await run.SucceedAsync("ls");
        Assert.Contains(imageId + "\tAvailable", listing, StringComparison.Ordinal);
        Assert.Contains(second + "\tAvailable", listing, StringComparison.Ordinal);
        Assert.Contains($"\"ImageId\": \"{imageId}\"", await run.SucceedAsync("show", imageId), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_import_prints_one_line_with_the_ecs_code_and_exits_non_zero()
    {
        var run = new ClientRun(server, await server.CreateAccountAsync());
        var raw = Disk("plain.raw", "raw", 0x11);
        var bucket = "cli-" + Guid.NewGuid().ToString("N")[..12];

        var (exitCode, output, error) = await run.RunAsync("import", raw, "--bucket", bucket, "--format", "qcow2");
        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        var last = error.TrimEnd('\n').Split('\n')[^1];
        Assert.Matches(@"^imago: importing m-\S+ \(task t-\S+\): InvalidImageFormat\.\S+: .+$", last);

        // Refused at once: an invalid parameter is the ECS code and message.
        (exitCode, _, error) = await run.RunAsync("import", raw, "--bucket", bucket, "--os-type", "plan9");
        Assert.Equal(1, exitCode);
        Assert.Matches(@"imago: ImportImage: InvalidOSType\.Malformed: .+\n$", error);

        // Another account's bucket name is taken.
        var owner = await server.CreateAccountAsync();
        var theirs = "cli-" + Guid.NewGuid().ToString("N")[..12];
        (await new OssTestClient(server.Http, owner.AccessKeyId, owner.AccessKeySecret, Region).PutBucketAsync(theirs)).AssertStatus(200);
        (exitCode, _, error) = await run.RunAsync("import", raw, "--bucket", theirs);
        Assert.Equal((1, $"imago: bucket {theirs}: BucketAlreadyExists: The requested bucket name '{theirs}' is not available.\n"), (exitCode, error));
    }

    [Fact]
    public async Task Bad_settings_are_one_line_and_the_secret_is_never_printed()
    {
        var account = await server.CreateAccountAsync();
        var run = new ClientRun(server, account);
        var (exitCode, _, error) = await run.RunAsync("import", Path.Combine(_temp.Path, "missing.qcow2"), "--bucket", "cli-missing-file");
        Assert.Equal((1, $"imago: could not open '{Path.Combine(_temp.Path, "missing.qcow2")}': No such file or directory\n"), (exitCode, error));

        var wrongSecret = new ClientRun(server, account with { AccessKeySecret = "wrong-secret-value" });
        (exitCode, _, error) = await wrongSecret.RunAsync("ls");
        Assert.Equal(1, exitCode);
        Assert.StartsWith("imago: DescribeImages: SignatureDoesNotMatch", error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-value", error, StringComparison.Ordinal);

        using (var unreachable = new StringWriter())
        {
            exitCode = await Imago.Cli.CommandLine.Default.RunAsync(["image", "ls", "--endpoint", "127.0.0.1:1", "--access-key-id", account.AccessKeyId,
                "--access-key-secret", account.AccessKeySecret], new Imago.Cli.CommandConsole(TextWriter.Null, unreachable), CancellationToken.None);
            Assert.Equal(1, exitCode);
            Assert.StartsWith("imago: cannot reach http://127.0.0.1:1/: ", unreachable.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(account.AccessKeySecret, unreachable.ToString(), StringComparison.Ordinal);
        }

        using var output = new StringWriter();
        using var errors = new StringWriter();
        exitCode = await Imago.Cli.CommandLine.Default.RunAsync(["image", "ls", "--endpoint", server.BaseAddress.ToString(),
            "--access-key-id", account.AccessKeyId], new Imago.Cli.CommandConsole(output, errors), CancellationToken.None);
        if (Environment.GetEnvironmentVariable("IMAGO_ACCESS_KEY_SECRET") is null)
        {
            Assert.Equal((1, "imago: --access-key-secret or IMAGO_ACCESS_KEY_SECRET is required\n"), (exitCode, errors.ToString()));
        }
    }
}
