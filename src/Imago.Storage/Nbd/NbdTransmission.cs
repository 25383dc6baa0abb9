using System.Buffers;

namespace Imago.Storage.Nbd;

/// <summary>
/// The transmission phase of one connection. A single reader takes requests off the socket in order (write
/// payloads included, so framing never depends on a request's outcome) and starts each as its own task within
/// a <see cref="RequestWindow"/>; the tasks reply in whatever order they finish, through one
/// <see cref="NbdReplyWriter"/>. A watchdog closes the connection after <see cref="NbdServerOptions.IdleTimeout"/>
/// without activity.
/// </summary>
internal sealed class NbdTransmission(Stream stream, NegotiatedExport export, NbdServerOptions options, MemoryBudget budget)
{
    private readonly IBlockDevice _device = export.Device;
    private readonly RequestWindow _window = new(options.MaxRequestsInFlight, options.MaxBytesInFlight, budget);
    private long _lastActivity = Environment.TickCount64; // a request header arrived or a request finished
    private int _idledOut;

    /// <summary>Serves requests until DISC, end of stream, a protocol violation, the idle timeout or cancellation.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var replies = new NbdReplyWriter(stream);
        using var stopWatchdog = new CancellationTokenSource();
        var watchdog = options.IdleTimeout == Timeout.InfiniteTimeSpan ? Task.CompletedTask : WatchIdleAsync(connection, stopWatchdog.Token);
        try
        {
            await ReadRequestsAsync(replies, connection).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Volatile.Read(ref _idledOut) != 0 && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no request for {options.IdleTimeout} after the handshake: connection closed");
        }
        catch
        {
            // Broken framing or a dead socket: stop the requests still running rather than reply into the void.
            await connection.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            // After DISC or a clean end of stream the requests already started finish and reply first.
            await _window.DrainAsync().ConfigureAwait(false);
            await stopWatchdog.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Cancels the connection once nothing is in flight and nothing arrived for the idle timeout. A request that runs
    /// longer than that (a flush on a slow disk) is activity, not idleness: the clock restarts when it finishes.
    /// Never throws.
    /// </summary>
    private async Task WatchIdleAsync(CancellationTokenSource connection, CancellationToken stop)
    {
        var timeout = (long)options.IdleTimeout.TotalMilliseconds;
        try
        {
            while (true)
            {
                var idleFor = Environment.TickCount64 - Volatile.Read(ref _lastActivity);
                if (idleFor >= timeout && _window.IsEmpty)
                {
                    Volatile.Write(ref _idledOut, 1);
                    await connection.CancelAsync().ConfigureAwait(false);
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(timeout - idleFor, Math.Min(timeout, 1000))), stop)
                    .ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended first.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    private async Task ReadRequestsAsync(NbdReplyWriter replies, CancellationTokenSource connection)
    {
        var token = connection.Token;
        var header = new byte[NbdProtocol.RequestHeaderSize];
        while (true)
        {
            var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, token)
                .ConfigureAwait(false);
            if (read == 0)
            {
                return; // The client went away between requests without NBD_CMD_DISC: nothing is lost.
            }

            if (read < header.Length)
            {
                throw new NbdProtocolException("connection closed inside a request header");
            }

            Touch();
            var request = NbdRequest.Parse(header);
            switch (request.Command)
            {
                case NbdCommand.Disconnect:
                    return; // Requests already started still reply before the connection closes (see RunAsync).
                case NbdCommand.Write:
                    await StartWriteAsync(request, replies, connection).ConfigureAwait(false);
                    break;
                default:
                    var bytes = request.Command == NbdCommand.Read && request.HasValidPayloadLength ? request.Length : 0;
                    await _window.EnterAsync(bytes, token).ConfigureAwait(false);
                    _ = RunRequestAsync(request, null, bytes, replies, connection);
                    break;
            }
        }
    }

    /// <summary>Reads a WRITE's payload off the socket, then processes it concurrently.</summary>
    private async Task StartWriteAsync(NbdRequest request, NbdReplyWriter replies, CancellationTokenSource connection)
    {
        var token = connection.Token;
        if (!request.HasValidPayloadLength)
        {
            await replies.SendAsync(NbdError.Invalid, request.Cookie, token).ConfigureAwait(false);
            if (request.Length == 0)
            {
                return;
            }

            // Skipping up to 4 GiB the client may or may not send is not worth it: the framing is gone.
            throw new NbdProtocolException($"write of {request.Length} bytes exceeds {NbdServerOptions.MaxPayloadLength}");
        }

        await _window.EnterAsync(request.Length, token).ConfigureAwait(false);
        var payload = ArrayPool<byte>.Shared.Rent((int)request.Length);
        try
        {
            await stream.ReadExactlyAsync(payload.AsMemory(0, (int)request.Length), token).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(payload);
            _window.Leave(request.Length);
            throw;
        }

        _ = RunRequestAsync(request, payload, request.Length, replies, connection);
    }

    /// <summary>Runs one request to its reply; never throws (a failed reply send ends the connection).</summary>
    private async Task RunRequestAsync(NbdRequest request, byte[]? payload, long windowBytes, NbdReplyWriter replies,
        CancellationTokenSource connection)
    {
        var token = connection.Token;
        try
        {
            if (request.Command == NbdCommand.Read)
            {
                await ReadAsync(request, replies, token).ConfigureAwait(false);
            }
            else
            {
                var error = await ExecuteAsync(request, payload, token).ConfigureAwait(false);
                await replies.SendAsync(error, request.Cookie, token).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Cancelled, or the socket failed under us: either way this connection is finished.
            await CancelQuietlyAsync(connection).ConfigureAwait(false);
        }
        finally
        {
            if (payload is not null)
            {
                ArrayPool<byte>.Shared.Return(payload);
            }

            Touch(); // before leaving: the watchdog must never see an empty window with a stale clock
            _window.Leave(windowBytes);
        }
    }

    private async Task ReadAsync(NbdRequest request, NbdReplyWriter replies, CancellationToken token)
    {
        var error = Validate(request, payloadCommand: true);
        if (error != NbdError.None)
        {
            await replies.SendAsync(error, request.Cookie, token).ConfigureAwait(false);
            return;
        }

        var length = (int)request.Length;
        var message = ArrayPool<byte>.Shared.Rent(NbdProtocol.SimpleReplyHeaderSize + length);
        try
        {
            try
            {
                await _device.ReadAsync((long)request.Offset,
                    message.AsMemory(NbdProtocol.SimpleReplyHeaderSize, length), token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                // A simple error reply carries no data, so the client's framing stays intact.
                await replies.SendAsync(NbdError.IoError, request.Cookie, token).ConfigureAwait(false);
                return;
            }

            NbdReplyWriter.WriteHeader(message, NbdError.None, request.Cookie);
            await replies.SendAsync(message.AsMemory(0, NbdProtocol.SimpleReplyHeaderSize + length), token)
                .ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }
    }

    /// <summary>Every command but READ: validates, runs it on the device, maps failures to an NBD error.</summary>
    private async Task<NbdError> ExecuteAsync(NbdRequest request, byte[]? payload, CancellationToken token)
    {
        var error = Validate(request, payloadCommand: request.Command == NbdCommand.Write);
        if (error != NbdError.None)
        {
            return error;
        }

        var offset = (long)request.Offset;
        try
        {
            switch (request.Command)
            {
                case NbdCommand.Write:
                    await _device.WriteAsync(offset, payload.AsMemory(0, (int)request.Length), token).ConfigureAwait(false);
                    break;
                case NbdCommand.WriteZeroes:
                    // NO_HOLE needs no branch: zeros read back as zeros whether or not the device deallocates.
                    await _device.WriteZeroesAsync(offset, request.Length, token).ConfigureAwait(false);
                    break;
                case NbdCommand.Trim:
                    await _device.TrimAsync(offset, request.Length, token).ConfigureAwait(false);
                    break;
                case NbdCommand.Flush:
                    await _device.FlushAsync(token).ConfigureAwait(false);
                    return NbdError.None;
                default:
                    return NbdError.Invalid;
            }

            if (request.ForceUnitAccess)
            {
                await _device.FlushAsync(token).ConfigureAwait(false);
            }

            return NbdError.None;
        }
        catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
        {
            return NbdError.IoError;
        }
    }

    /// <summary>The checks every request passes before it reaches the device (never trusted to the device).</summary>
    private NbdError Validate(NbdRequest request, bool payloadCommand)
    {
        var writes = request.Command is NbdCommand.Write or NbdCommand.WriteZeroes or NbdCommand.Trim;
        var known = writes || request.Command is NbdCommand.Read or NbdCommand.Flush;
        if (!known || request.HasUnknownFlags)
        {
            return NbdError.Invalid;
        }

        if (payloadCommand && !request.HasValidPayloadLength)
        {
            return NbdError.Invalid;
        }

        if (writes && _device.IsReadOnly)
        {
            return NbdError.NotPermitted;
        }

        if (request.Command == NbdCommand.Flush)
        {
            return NbdError.None;
        }

        if (request.Length == 0)
        {
            return NbdError.Invalid;
        }

        if (!request.FitsIn(_device.Size))
        {
            // The protocol asks for ENOSPC when a write reaches past the end, EINVAL for other commands.
            return request.Command is NbdCommand.Write or NbdCommand.WriteZeroes ? NbdError.NoSpace : NbdError.Invalid;
        }

        return NbdError.None;
    }

    private static async Task CancelQuietlyAsync(CancellationTokenSource connection)
    {
        try
        {
            await connection.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
