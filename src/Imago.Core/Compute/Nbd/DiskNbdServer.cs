using System.Net;
using System.Net.Sockets;
using Imago.Storage.Nbd;
using Microsoft.Extensions.Logging;

namespace Imago.Core.Compute.Nbd;

/// <summary>
/// The NBD server that serves <see cref="DiskExports"/> on <see cref="ServiceOptions.NbdEndpoint"/> for the life
/// of the service (not started when the endpoint is null), and the <c>nbd://HOST:PORT/d-...</c> URL of a disk.
/// </summary>
public sealed class DiskNbdServer(ServiceOptions options, DiskExports exports, ILogger<DiskNbdServer> logger) : IAsyncDisposable
{
    private NbdServer? _server;

    /// <summary>The bound address while running, else null.</summary>
    public IPEndPoint? LocalEndPoint => _server?.LocalEndPoint;

    public void Start()
    {
        if (options.NbdEndpoint is not { } endpoint || _server is not null)
        {
            return;
        }

        var server = new NbdServer(exports, new NbdServerOptions
        {
            EndPoint = endpoint,
            // An instance's disk connection is idle whenever its guest is; dead peers are found by TCP keepalive.
            IdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectionFailed = (remote, error) => logger.LogWarning("NBD connection from {Remote} failed: {Error}", remote, error.Message),
        });
        server.Start();
        _server = server;
        logger.LogInformation("NBD: serving disks on {EndPoint}", server.LocalEndPoint);
    }

    /// <summary>Where a disk is served, or null when NBD is off.</summary>
    public string? UrlFor(string diskId)
    {
        if (LocalEndPoint is not { } bound)
        {
            return null;
        }

        var host = options.NbdHost ?? HostOf(bound.Address);
        return $"nbd://{host}:{bound.Port}/{diskId}";
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.StopAsync(cancellationToken).ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>A wildcard bind is reached through loopback from this host; <c>--nbd-host</c> names it for others.</summary>
    private static string HostOf(IPAddress address)
    {
        if (address.Equals(IPAddress.Any))
        {
            return "127.0.0.1";
        }

        if (address.Equals(IPAddress.IPv6Any))
        {
            return "[::1]";
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
    }
}
