using System.Globalization;
using System.Net;
using Imago.Bench.NbdHost;
using Imago.Storage.Nbd;

// Usage: NbdHost FILE [--port N] [--name NAME] [--read-only]
// Serves FILE over NBD on 127.0.0.1 until stdin closes or SIGINT/SIGTERM; prints "listening PORT" once bound.
string? file = null;
var port = 0;
var name = "disk";
var readOnly = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port":
            port = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--name":
            name = args[++i];
            break;
        case "--read-only":
            readOnly = true;
            break;
        default:
            file = args[i];
            break;
    }
}

if (file is null || !File.Exists(file))
{
    await Console.Error.WriteLineAsync("usage: NbdHost FILE [--port N] [--name NAME] [--read-only]");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
    {
        ctx.Cancel = true;
        stop.Cancel();
    });

await using var server = new NbdServer(new SingleFileExports(name, Path.GetFullPath(file), readOnly),
    new NbdServerOptions
    {
        EndPoint = new IPEndPoint(IPAddress.Loopback, port),
        ConnectionFailed = (remote, e) => Console.Error.WriteLine($"connection {remote}: {e.Message}"),
    });
server.Start();
Console.WriteLine($"listening {server.LocalEndPoint.Port}");

// stdin closing (the bench script exiting) also stops the host, so no server outlives its script.
var stdinClosed = Task.Run(() => Console.In.ReadToEnd(), CancellationToken.None);
await Task.WhenAny(stdinClosed, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
await server.StopAsync();
return 0;
