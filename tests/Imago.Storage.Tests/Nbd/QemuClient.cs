using System.Diagnostics;

namespace Imago.Storage.Tests.Nbd;

/// <summary>
/// Runs qemu-io / qemu-img / qemu-nbd as NBD clients, killed when the token fires (a hung client must not hang
/// the test run).
/// </summary>
internal static class QemuClient
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string Output => StdOut + StdErr;

        /// <summary>qemu-io exits 0 even when a command fails; it prints "... failed: ..." instead.</summary>
        public bool Succeeded => ExitCode == 0 && !Output.Contains("failed", StringComparison.OrdinalIgnoreCase);
    }

    public static string Url(NbdTestServer server, string export) =>
        $"nbd://127.0.0.1:{server.Port}/{export}";

    /// <summary>qemu-io -f raw URL -c CMD...</summary>
    public static Task<Result> IoAsync(string url, CancellationToken cancellationToken, params string[] commands)
    {
        var args = new List<string> { "-f", "raw" };
        foreach (var c in commands)
        {
            args.AddRange(["-c", c]);
        }

        args.Add(url);
        return RunAsync("qemu-io", args, cancellationToken);
    }

    public static Task<Result> ImgAsync(CancellationToken cancellationToken, params string[] args) =>
        RunAsync("qemu-img", args, cancellationToken);

    public static Task<Result> NbdAsync(CancellationToken cancellationToken, params string[] args) =>
        RunAsync("qemu-nbd", args, cancellationToken);

    public static async Task<Result> RunAsync(string tool, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
