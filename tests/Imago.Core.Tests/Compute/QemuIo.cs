using System.Diagnostics;

namespace Imago.Core.Tests.Compute;

/// <summary>Runs qemu-io against an NBD URL, killed after a minute (a hung client must not hang the run).</summary>
internal static class QemuIo
{
    public sealed record Result(int ExitCode, string Output)
    {
        /// <summary>qemu-io exits 0 even when a command fails; it prints "... failed: ..." instead.</summary>
        public bool Succeeded => ExitCode == 0 && !Output.Contains("failed", StringComparison.OrdinalIgnoreCase);
    }

    public static async Task<Result> RunAsync(string url, params string[] commands)
    {
        var psi = new ProcessStartInfo("qemu-io") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-f");
        psi.ArgumentList.Add("raw");
        foreach (var command in commands)
        {
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(command);
        }

        psi.ArgumentList.Add(url);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start qemu-io");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await stdout + await stderr);
    }
}
