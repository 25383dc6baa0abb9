using System.Net;

namespace Imago.Storage.Nbd;

/// <summary>Where an <see cref="NbdServer"/> listens and the limits it enforces on every client.</summary>
public sealed record NbdServerOptions
{
    /// <summary>Largest read or write payload a client may ask for; larger requests get EINVAL.</summary>
    public const int MaxPayloadLength = 32 * 1024 * 1024;

    /// <summary>Block size advertised through NBD_INFO_BLOCK_SIZE as the preferred I/O size.</summary>
    public const int PreferredBlockSize = 4096;

    /// <summary>The loopback address by default: exposing disks beyond the host is an explicit choice.</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Requests processed concurrently per connection; the reader waits for a free slot.</summary>
    public int MaxRequestsInFlight { get; init; } = 16;

    /// <summary>
    /// Payload bytes buffered concurrently per connection (write data read ahead plus read replies being built),
    /// so a client cannot make the server hold 16 × 32 MiB at once. A single request may always run alone.
    /// </summary>
    public long MaxBytesInFlight { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Payload bytes buffered concurrently across all connections: without it 256 clients could make the server hold
    /// 256 × <see cref="MaxBytesInFlight"/>. A connection waits for budget (its client feels back-pressure) instead
    /// of allocating past it; one request larger than the budget still runs, alone.
    /// </summary>
    public long MaxTotalBytesInFlight { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Time a connection may sit after the handshake with no request arriving and none in flight before it is
    /// closed: a client that vanished without a FIN (a dead host, a dropped NAT entry) must not hold its export,
    /// a connection slot and the volume's single-writer open forever. <see cref="Timeout.InfiniteTimeSpan"/> turns it
    /// off (TCP keepalive still finds dead peers): a hypervisor's disk connection is idle whenever its guest is.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest option the handshake accepts; export names are short, so anything bigger is hostile.</summary>
    public int MaxOptionLength { get; init; } = 64 * 1024;

    /// <summary>Time a client has to finish option haggling before its connection is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections served at once; further ones are closed on accept.</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>Throws when a limit is not positive: a zero or negative cap would silently mean "no cap".</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(EndPoint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxRequestsInFlight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBytesInFlight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTotalBytesInFlight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxOptionLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxConnections);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero);
        if (IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IdleTimeout, TimeSpan.Zero);
        }
    }

    /// <summary>Called (from a connection task) when a connection ends because of an error; for logging.</summary>
    public Action<EndPoint?, Exception>? ConnectionFailed { get; init; }
}
