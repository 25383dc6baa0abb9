using System.Net;
using Imago.Cli;
using Imago.Storage.Nbd;

namespace Imago.Store;

/// <summary>
/// <c>nbd [--listen ADDR:PORT]</c>: serves every volume (read-write) and snapshot (read-only) over NBD until
/// Ctrl+C or SIGTERM, then closes every connection, commits what clients wrote, and exits 0.
/// </summary>
internal sealed class NbdCommand : IStoreCommand
{
    private const string DefaultListen = "127.0.0.1:10809";

    private static readonly OptionParser Parser = new(["--listen"], []);

    public string Name => "nbd";

    public string Usage => $"[--listen ADDR:PORT] (default {DefaultListen})";

    public string Summary => "serve volumes read-write and snapshots read-only over NBD until Ctrl+C/SIGTERM";

    public async Task<int> RunAsync(string dataDirectory, IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = Parser.Parse(args);
        StoreOpener.Operands(options);
        var listen = options.Value("--listen") ?? DefaultListen;
        if (!IPEndPoint.TryParse(listen, out var endPoint) || listen.LastIndexOf(':') < 0)
        {
            throw new UsageException($"invalid --listen address '{listen}' (use ADDR:PORT, e.g. {DefaultListen})");
        }

        var store = await StoreOpener.OpenExistingAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            var server = new NbdServer(new StoreExportProvider(store), new NbdServerOptions
            {
                EndPoint = endPoint,
                ConnectionFailed = (remote, e) => console.Error.WriteLine($"imago: nbd connection {remote}: {e.Message}"),
            });
            await using (server.ConfigureAwait(false))
            {
                try
                {
                    server.Start();
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    throw new IOException($"cannot listen on {listen}: {e.Message}", e);
                }

                await console.Out.WriteLineAsync($"listening {server.LocalEndPoint}").ConfigureAwait(false);
                await console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C / SIGTERM is how this command is meant to end.
                }

                await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        return 0;
    }
}
