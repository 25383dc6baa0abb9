using Imago.Cli;

namespace Imago.Storage.Tests.StoreCli;

/// <summary>Runs the imago command tree in process, as the executable would, and captures what it prints.</summary>
internal static class ImagoCli
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await CommandLine.Default.RunAsync(args, new CommandConsole(output, error), timeout.Token);
        return new Result(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>imago store --data DIR ARGS...</summary>
    public static Task<Result> StoreAsync(string data, params string[] args) => RunAsync(["store", "--data", data, .. args]);
}
