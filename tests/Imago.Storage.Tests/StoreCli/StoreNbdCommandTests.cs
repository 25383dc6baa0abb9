using System.Text.RegularExpressions;
using Imago.Cli;
using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Tests.Nbd;

namespace Imago.Storage.Tests.StoreCli;

/// <summary><c>imago store nbd</c> served until cancelled (as Ctrl+C/SIGTERM do), with qemu clients against it.</summary>
public sealed partial class StoreNbdCommandTests : IDisposable
{
    private const int MiB = 1024 * 1024;

    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task Serves_until_cancelled_and_qemu_img_convert_of_a_snapshot_equals_imago_store_export()
    {
        var data = _temp.File("store");
        var source = _temp.File("disk.qcow2");
        QemuImg.Create(source, "qcow2", 12 * MiB);
        QemuImg.IoCommands(source, "qcow2", "write -P 0x42 512k 2M", "write -P 0x77 11M 8k");
        Assert.Equal(0, (await ImagoCli.StoreAsync(data, "import", source, "snap")).ExitCode);
        Assert.Equal(0, (await ImagoCli.StoreAsync(data, "volume", "from-snapshot", "snap", "vol")).ExitCode);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = new StringWriter();
        var synchronizedOutput = TextWriter.Synchronized(output);
        var serving = CommandLine.Default.RunAsync(["store", "--data", data, "nbd", "--listen", "127.0.0.1:0"],
            new CommandConsole(synchronizedOutput, TextWriter.Synchronized(new StringWriter())), stop.Token);
        var port = await WaitForPortAsync(synchronizedOutput, output, serving, stop.Token);
        var url = $"nbd://127.0.0.1:{port}";

        var overNbd = _temp.File("nbd.raw");
        var convert = await QemuClient.ImgAsync(stop.Token, "convert", "-f", "raw", "-O", "raw", $"{url}/snap", overNbd);
        Assert.True(convert.ExitCode == 0, convert.Output);
        var write = await QemuClient.IoAsync($"{url}/vol", stop.Token, "write -P 0xee 4M 64k");
        Assert.True(write.Succeeded, write.Output);

        await stop.CancelAsync();
        Assert.Equal(0, await serving);

        var exported = _temp.File("export.raw");
        Assert.Equal(0, (await ImagoCli.StoreAsync(data, "export", "snap", exported, "-O", "raw")).ExitCode);
        Assert.Equal(await File.ReadAllBytesAsync(exported), await File.ReadAllBytesAsync(overNbd));

        // What the client wrote was committed when the server stopped.
        Assert.Equal(0, (await ImagoCli.StoreAsync(data, "snapshot", "vol", "after")).ExitCode);
        Assert.Equal(0, (await ImagoCli.StoreAsync(data, "export", "after", _temp.File("after.raw"), "-O", "raw")).ExitCode);
        var after = await File.ReadAllBytesAsync(_temp.File("after.raw"));
        Assert.All(after.AsSpan(4 * MiB, 64 * 1024).ToArray(), b => Assert.Equal(0xee, b));
        Assert.Equal(0x42, after[MiB]);
    }

    [Fact]
    public async Task A_port_in_use_is_a_one_line_error()
    {
        var data = _temp.File("store");
        Assert.Equal(0, (await ImagoCli.StoreAsync(data, "volume", "create", "v", "1M")).ExitCode);
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;

        var result = await ImagoCli.StoreAsync(data, "nbd", "--listen", $"127.0.0.1:{port}");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"imago: cannot listen on 127.0.0.1:{port}", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task<int> WaitForPortAsync(TextWriter synchronizedOutput, StringWriter output, Task<int> serving, CancellationToken cancellationToken)
    {
        while (true)
        {
            string text;
            lock (synchronizedOutput)
            {
                text = output.ToString();
            }

            if (ListeningLine().Match(text) is { Success: true } match)
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            Assert.False(serving.IsCompleted, $"the nbd command ended early: {text}");
            await Task.Delay(20, cancellationToken);
        }
    }

    [GeneratedRegex(@"listening 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    public void Dispose() => _temp.Dispose();
}
