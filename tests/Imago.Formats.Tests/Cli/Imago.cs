using System.Diagnostics;
using Imago.Cli;

namespace Imago.Formats.Tests.Cli;

/// <summary>Runs the imago executable: in-process through its command tree, or the built imago.dll as a process.</summary>
public static class ImagoCli
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static async Task<Result> RunAsync(string[] args, CancellationToken cancellationToken = default, bool terminal = false)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await CommandLine.Default.RunAsync(args, new CommandConsole(stdout, stderr, terminal), cancellationToken);
        return new Result(exitCode, stdout.ToString(), stderr.ToString());
    }

    public static Task<Result> RunAsync(params string[] args) => RunAsync(args, CancellationToken.None);

    /// <summary>Runs <c>dotnet imago.dll ARGS</c> (the build output copied next to the tests).</summary>
    public static Result RunProcess(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "imago.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Asserts the failure shape every command promises: one "imago: ..." line on stderr, no stack trace.</summary>
    public static void AssertOneLineError(Result result, string? contains = null)
    {
        Assert.NotEqual(0, result.ExitCode);
        var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one error line, got: {result.StdErr}");
        Assert.StartsWith("imago: ", lines[0]);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.DoesNotContain("Exception", result.StdErr);
        if (contains is not null)
        {
            Assert.Contains(contains, lines[0], StringComparison.OrdinalIgnoreCase);
        }
    }
}
