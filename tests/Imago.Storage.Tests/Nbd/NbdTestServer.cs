using Imago.Storage.Nbd;

namespace Imago.Storage.Tests.Nbd;

/// <summary>
/// An <see cref="NbdServer"/> on an ephemeral loopback port over <see cref="TestExports"/>, plus a time bound for
/// the test using it. Connection failures are collected so tests can see the server noticed hostile clients.
/// </summary>
internal sealed class NbdTestServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly List<Exception> _failures = [];

    public NbdTestServer(TestExports? exports = null, NbdServerOptions? options = null)
    {
        Exports = exports ?? new TestExports();
        Server = new NbdServer(Exports, (options ?? new NbdServerOptions()) with { ConnectionFailed = Record });
        Server.Start();
    }

    public TestExports Exports { get; }

    public NbdServer Server { get; }

    public int Port => Server.LocalEndPoint.Port;

    /// <summary>Cancelled when the test has run too long: every client call is bounded by it.</summary>
    public CancellationToken Timeout => _timeout.Token;

    public IReadOnlyList<Exception> Failures
    {
        get
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    public string Url(string export) => QemuClient.Url(this, export);

    /// <summary>Waits (bounded) until the server has closed every connection, e.g. after a client vanished.</summary>
    public async Task WaitForIdleAsync()
    {
        while (Server.ConnectionCount > 0)
        {
            await Task.Delay(10, Timeout);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(Timeout);
        await Server.DisposeAsync();
        _timeout.Dispose();
    }

    private void Record(System.Net.EndPoint? remote, Exception e)
    {
        lock (_failures)
        {
            _failures.Add(e);
        }
    }
}
