using Imago.Api.Tests.Infrastructure;
using Imago.Cli;
using Imago.Core.Accounts;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Api.Tests.Client;

/// <summary>Runs <c>imago image ...</c> in process against the fixture's URL as <paramref name="Account"/>, polling fast, with -p progress lines.</summary>
internal sealed record ClientRun(ImagoServer Server, NewAccount Account)
{
    public async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        string[] all = ["image", .. args, "--endpoint", Server.BaseAddress.ToString(), "--access-key-id", Account.AccessKeyId,
            "--access-key-secret", Account.AccessKeySecret, "--interval", "0.05", "--timeout", "120", "-p"];
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CommandLine.Default.RunAsync(all, new CommandConsole(output, error), CancellationToken.None);
        var result = (exitCode, output.ToString(), error.ToString());
        Assert.DoesNotContain(Account.AccessKeySecret, result.Item2 + result.Item3, StringComparison.Ordinal);
        return result;
    }

    /// <summary>A qemu-img-made disk in <paramref name="directory"/> with 64 KiB of <paramref name="pattern"/> at 1 MiB.</summary>
    public static string MakeDisk(string directory, string name, string format, byte pattern, long size)
    {
        var path = Path.Combine(directory, name);
        QemuImg.Create(path, format, size, null);
        QemuImg.IoCommands(path, format, $"write -P 0x{pattern:x2} 1M 64k");
        return path;
    }

    public async Task<string> SucceedAsync(params string[] args)
    {
        var (exitCode, output, error) = await RunAsync(args);
        Assert.True(exitCode == 0, $"exit {exitCode}: {error}");
        return output;
    }
}
