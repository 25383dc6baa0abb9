using Imago.Formats.Tests.Infrastructure;

namespace Imago.Storage.Tests.Nbd;

/// <summary>The server against the real NBD clients of Debian's qemu-utils.</summary>
public sealed class NbdQemuClientTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task QemuIo_WritesAndReadsBackAPattern()
    {
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("disk", 8 * MiB);

        var result = await QemuClient.IoAsync(server.Url("disk"), server.Timeout,
            "write -P 0xab 1M 64k", "read -P 0xab 1M 64k");

        Assert.True(result.Succeeded, result.Output);
        var content = device.Snapshot();
        Assert.All(content.AsSpan(MiB, 64 * 1024).ToArray(), b => Assert.Equal(0xab, b));
        Assert.Equal(0, content[MiB - 1]);
        Assert.Equal(0, content[MiB + (64 * 1024)]);
    }

    [Fact]
    public async Task QemuIo_ReadOfDifferentPatternIsReportedAsMismatch()
    {
        // Guards the assertion above: qemu-io's read -P really compares what the server returns.
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("disk", 4 * MiB);
        device.Fill(0, Enumerable.Repeat((byte)0x11, 4096).ToArray());

        var result = await QemuClient.IoAsync(server.Url("disk"), server.Timeout, "read -P 0x22 0 4k");

        Assert.Contains("Pattern verification failed", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QemuImgConvert_CopiesTheWholeDevice()
    {
        using var temp = new TempDirectory();
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("disk", 6 * MiB + 512);
        var random = new Random(7);
        var data = new byte[3 * MiB];
        random.NextBytes(data);
        device.Fill(MiB + 17, data);

        var output = temp.File("out.raw");
        var result = await QemuClient.ImgAsync(server.Timeout, "convert", "-f", "raw", "-O", "raw",
            server.Url("disk"), output);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(device.Snapshot(), await File.ReadAllBytesAsync(output, server.Timeout));
    }

    [Fact]
    public async Task QemuImgConvert_WritesAFileIntoTheDevice()
    {
        using var temp = new TempDirectory();
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("disk", 8 * MiB);
        device.Fill(0, Enumerable.Repeat((byte)0xff, 8 * MiB).ToArray()); // zeros must overwrite, not be skipped
        var input = temp.File("in.raw");
        var data = new byte[8 * MiB];
        new Random(11).NextBytes(data);
        data.AsSpan(MiB, MiB).Clear(); // a zero run the client may send as WRITE_ZEROES
        await File.WriteAllBytesAsync(input, data, server.Timeout);

        // -W -m 8: eight coroutines writing out of order, so requests overlap on the connection.
        var result = await QemuClient.ImgAsync(server.Timeout, "convert", "-n", "-W", "-m", "8", "-S", "4k",
            "-f", "raw", "-O", "raw", input, server.Url("disk"));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(data, device.Snapshot());
    }

    [Fact]
    public async Task QemuImgInfo_SeesTheDeviceSize()
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("disk", 5 * MiB + 4096);

        var result = await QemuClient.ImgAsync(server.Timeout, "info", "-f", "raw", "--output", "json",
            server.Url("disk"));

        Assert.True(result.ExitCode == 0, result.Output);
        using var info = System.Text.Json.JsonDocument.Parse(result.StdOut);
        Assert.Equal(5L * MiB + 4096, info.RootElement.GetProperty("virtual-size").GetInt64());
    }
}
