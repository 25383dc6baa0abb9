using Imago.Storage.Nbd;

namespace Imago.Storage.Tests.StoreNbd;

/// <summary>An <see cref="NbdServer"/> over a store on an ephemeral loopback port, with a time bound for the test.</summary>
internal sealed class StoreNbdServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public StoreNbdServer(BlockStore store)
    {
        Server = new NbdServer(new StoreExportProvider(store));
        Server.Start();
    }

    public NbdServer Server { get; }

    public int Port => Server.LocalEndPoint.Port;

    public CancellationToken Timeout => _timeout.Token;

    public string Url(string export) => $"nbd://127.0.0.1:{Port}/{export}";

    public async Task WaitForIdleAsync()
    {
        while (Server.ConnectionCount > 0)
        {
            await Task.Delay(10, Timeout);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _timeout.Dispose();
    }
}
