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

    /// <summary>A fresh qemu-io client still writes and reads through this server (after a hostile client).</summary>
    public async Task AssertQemuStillWorksAsync()
    {
        var probe = Exports.Add("probe-" + Guid.NewGuid().ToString("N")[..8], 1024 * 1024);
        var name = Exports.NameOf(probe);
        var result = await QemuClient.IoAsync(Url(name), Timeout, "write -P 0x3c 4k 8k", "read -P 0x3c 4k 8k");
        Assert.True(result.Succeeded, result.Output);
        Assert.Equal(0x3c, probe.Snapshot()[4096]);
    }

    /// <summary>Waits (bounded) until the server holds exactly <paramref name="count"/> device handles.</summary>
    public async Task WaitForHandlesAsync(int count)
    {
        while (Exports.OpenHandles != count)
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
