using System.Security.Cryptography;
using Imago.Cli;
using Imago.Core.Buckets;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Api.Tests.Buckets;

/// <summary><c>imago admin bucket ...</c> run in process on a data directory of its own.</summary>
public sealed class BucketCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private async Task<(int ExitCode, string Out, string Error)> Imago(bool terminal, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLine.Default.RunAsync(["admin", "bucket", .. args, "--data", _data.Path],
            new CommandConsole(output, error, terminal), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    private Task<(int ExitCode, string Out, string Error)> Imago(params string[] args) => Imago(false, args);

    private async Task<string> SucceedAsync(params string[] args)
    {
        var (code, output, error) = await Imago(args);
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        return output;
    }

    private string LocalFile(string name, int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        var path = _data.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task Create_put_ls_stat_get_rm_object_and_rm_round_trip_a_multi_mib_file()
    {
        var upload = LocalFile("upload.raw", (3 << 20) + 17, 1);
        var content = await File.ReadAllBytesAsync(upload);

        Assert.Equal("images: Created in cn-hangzhou\n", await SucceedAsync("create", "--region", "cn-hangzhou", "images"));
        Assert.Equal($"disks/a.raw: {content.Length} bytes, ETag {Convert.ToHexString(MD5.HashData(content))}\n",
            await SucceedAsync("put", "--region", "cn-hangzhou", "images", "disks/a.raw", upload));
        await SucceedAsync("put", "--region", "cn-hangzhou", "images", "other/b.raw", LocalFile("small", 10, 2));

        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\timages\n$", await SucceedAsync("ls", "--region", "cn-hangzhou"));
        Assert.Equal("", await SucceedAsync("ls", "--region", "cn-shanghai"));
        var listed = (await SucceedAsync("ls", "--region", "cn-hangzhou", "images", "disks/")).TrimEnd('\n').Split('\t');
        Assert.Equal([content.Length.ToString(), Convert.ToHexString(MD5.HashData(content)), "disks/a.raw"], [listed[0], listed[2], listed[3]]);
        Assert.Equal(2, (await SucceedAsync("ls", "--region", "cn-hangzhou", "images")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var stat = await SucceedAsync("stat", "--region", "cn-hangzhou", "images", "disks/a.raw");
        Assert.Contains($"Size:         {content.Length}\n", stat);
        Assert.Contains($"SHA-256:      {Convert.ToHexStringLower(SHA256.HashData(content))}\n", stat);

        var download = _data.File("download.raw");
        await File.WriteAllTextAsync(download, "an older file that the download replaces");
        Assert.Equal($"disks/a.raw: {content.Length} bytes to {download}\n", await SucceedAsync("get", "--region", "cn-hangzhou", "images", "disks/a.raw", download));
        Assert.Equal(content, await File.ReadAllBytesAsync(download));
        Assert.Empty(Directory.GetFiles(_data.Path, "download.raw.tmp-*"));

        var (code, _, error) = await Imago("rm", "--region", "cn-hangzhou", "images");
        Assert.Equal((1, "imago: bucket 'images' is not empty: delete its objects first\n"), (code, error));
        Assert.Equal("disks/a.raw: Deleted\n", await SucceedAsync("rm-object", "--region", "cn-hangzhou", "images", "disks/a.raw"));
        await SucceedAsync("rm-object", "--region", "cn-hangzhou", "images", "other/b.raw");
        Assert.Equal("images: Deleted\n", await SucceedAsync("rm", "--region", "cn-hangzhou", "images"));
        Assert.Equal("", await SucceedAsync("ls", "--region", "cn-hangzhou"));
    }

    [Fact]
    public async Task Put_and_get_draw_the_progress_bar_on_a_terminal_and_lines_with_p_elsewhere()
    {
        await SucceedAsync("create", "--region", "cn-hangzhou", "images");
        var upload = LocalFile("upload.raw", 5 << 20, 3);

        var (code, _, bar) = await Imago(terminal: true, "put", "--region", "cn-hangzhou", "images", "k", upload);
        Assert.Equal(0, code);
        Assert.Contains("\r[########################################] 100.00%", bar);

        var (_, _, lines) = await Imago(terminal: false, "get", "-p", "--region", "cn-hangzhou", "images", "k", _data.File("out"));
        Assert.StartsWith("    (0.00/100%)\n", lines);
        Assert.EndsWith("    (100.00/100%)\n", lines);

        var (_, _, quiet) = await Imago(terminal: false, "get", "--region", "cn-hangzhou", "images", "k", _data.File("out2"));
        Assert.Equal("", quiet);
    }

    [Fact]
    public async Task Every_error_is_one_readable_line()
    {
        await SucceedAsync("create", "--region", "cn-hangzhou", "images");
        Directory.CreateDirectory(Path.Combine(_data.Path, "regions", "cn-hangzhou")); // as serve leaves it

        (string[] Args, string Line)[] cases =
        [
            (["get", "--region", "cn-hangzhou", "images", "nothing", _data.File("x")], "imago: object 'nothing' does not exist in bucket 'images'"),
            (["stat", "--region", "cn-hangzhou", "nobucket", "k"], "imago: bucket 'nobucket' does not exist in region cn-hangzhou"),
            (["create", "--region", "cn-hangzhou", "Bad_Name"], "imago: 'Bad_Name' is not a bucket name: 3-63 characters from lower-case letters, digits and hyphens, starting and ending with a letter or digit"),
            (["create", "--region", "cn-hangzhou", "images"], "imago: bucket 'images' already exists in region cn-hangzhou"),
            (["create", "--region", "us-west-1", "images"], "imago: region us-west-1 is not one of this data directory's regions (cn-hangzhou)"),
            (["create", "--region", "../etc", "images"], "imago: --region '../etc' is not a region id (lower-case letters, digits and dashes, like cn-hangzhou)"),
            (["create", "images"], "imago: usage: imago admin bucket create --region R BUCKET [--data DIR]"),
            (["put", "--region", "cn-hangzhou", "images", "k", _data.File("missing")], $"imago: could not open '{_data.File("missing")}': No such file or directory"),
            (["put", "--region", "cn-hangzhou", "images", "/abs", _data.File("missing")], "imago: '/abs' is not an object key: it starts with '/' or '\\' (as in OSS)"),
            (["rm-object", "--region", "cn-hangzhou", "images", "gone"], "imago: object 'gone' does not exist in bucket 'images'"),
        ];

        foreach (var (args, line) in cases)
        {
            var (code, output, error) = await Imago(args);
            Assert.Equal((1, "", line + "\n"), (code, output, error));
        }

        Assert.Equal(["images"], (await DirectoryBucketStore.Open(_data.Path).ListBucketsAsync("cn-hangzhou", CancellationToken.None)).Select(b => b.Name));
    }
}
