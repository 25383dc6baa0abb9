using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Imago.Storage.Nbd;

/// <summary>
/// An NBD server (fixed newstyle handshake, simple replies) that serves the exports of an
/// <see cref="INbdExportProvider"/> over TCP, one task per connection. A client that breaks the protocol loses
/// its own connection only. Start with <see cref="Start"/>; <see cref="StopAsync"/> closes the listener and
/// every connection.
/// </summary>
public sealed class NbdServer(INbdExportProvider provider, NbdServerOptions? options = null) : IAsyncDisposable
{
    private readonly NbdServerOptions _options = options ?? new NbdServerOptions();
    private readonly MemoryBudget _budget = new((options ?? new NbdServerOptions()).MaxTotalBytesInFlight);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private TcpListener? _listener;
    private Task? _acceptLoop;
    private long _nextConnectionId;

    /// <summary>The address actually bound (the port is known here when the options asked for port 0).</summary>
    public IPEndPoint LocalEndPoint =>
        (IPEndPoint?)_listener?.LocalEndpoint ?? throw new InvalidOperationException("the NBD server is not started");

    /// <summary>Connections currently being served.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Requests waiting for the server-wide memory budget now (tests observe back-pressure through it).</summary>
    internal int RequestsWaitingForMemory => _budget.Waiting;

    /// <summary>Binds the endpoint and starts accepting clients in the background.</summary>
    public void Start()
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("the NBD server is already started");
        }

        _options.Validate();
        _listener = new TcpListener(_options.EndPoint);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(_listener, _stopping.Token);
    }

    /// <summary>Stops accepting, cancels every connection and waits for their tasks to end.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        _listener?.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await Task.WhenAll(_connections.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                                      || (e is SocketException && stopping.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException)
            {
                continue; // One client's failed accept (reset before accept, ...) is no reason to stop serving.
            }

            if (_connections.Count >= _options.MaxConnections)
            {
                client.Dispose();
                continue;
            }

            var id = Interlocked.Increment(ref _nextConnectionId);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Registered before it runs, so that a connection ending at once still finds its entry to remove.
            _connections[id] = ServeAsync(id, client, gate.Task, stopping);
            gate.SetResult();
        }
    }

    private async Task ServeAsync(long id, TcpClient client, Task registered, CancellationToken stopping)
    {
        await registered.ConfigureAwait(false);
        EndPoint? remote = null;
        try
        {
            remote = client.Client.RemoteEndPoint;
            client.NoDelay = true;
            // A peer that vanished without a FIN (a dead hypervisor host) is found by TCP keepalive even when the
            // idle timeout is off, as it is for instance disks, which are idle whenever their guest is.
            client.Client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            client.Client.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 60);
            client.Client.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            client.Client.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 6);
            var stream = client.GetStream();
            NegotiatedExport? export;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                handshake.CancelAfter(_options.HandshakeTimeout);
                export = await new NbdHandshake(stream, provider, _options).RunAsync(handshake.Token).ConfigureAwait(false);
            }

            if (export is not null)
            {
                await using (export.Device.ConfigureAwait(false))
                {
                    await new NbdTransmission(stream, export, _options, _budget).RunAsync(stopping).ConfigureAwait(false);
                }
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Server shutdown: connections end without a report.
        }
        catch (Exception e)
        {
            Report(remote, e);
        }
        finally
        {
            client.Dispose();
            _connections.TryRemove(id, out _);
        }
    }

    private void Report(EndPoint? remote, Exception error)
    {
        try
        {
            _options.ConnectionFailed?.Invoke(remote, error);
        }
        catch (Exception)
        {
            // A failing log hook must not turn one client's error into a faulted connection task.
        }
    }
}
