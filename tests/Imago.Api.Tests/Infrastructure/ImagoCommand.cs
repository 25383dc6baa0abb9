using Imago.Cli;

namespace Imago.Api.Tests.Infrastructure;

/// <summary>Runs an <c>imago</c> command in process on a data directory of the test's own (no server).</summary>
public static class ImagoCommand
{
    /// <summary>The exit code and what the command wrote; <c>--data DIR</c> is appended.</summary>
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(string dataDirectory, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLine.Default.RunAsync([.. args, "--data", dataDirectory], new CommandConsole(output, error), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
