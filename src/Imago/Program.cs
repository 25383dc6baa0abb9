using System.Runtime.InteropServices;
using Imago.Cli;

namespace Imago;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();

        // Ctrl+C and SIGTERM cancel the running command, which cleans up (no partial output file) and exits.
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });

        var console = new CommandConsole(Console.Out, Console.Error, ErrorIsTerminal: !Console.IsErrorRedirected);
        var exitCode = await CommandLine.Default.RunAsync(args, console, cancellation.Token).ConfigureAwait(false);
        await Console.Out.FlushAsync().ConfigureAwait(false);
        return exitCode;
    }
}
