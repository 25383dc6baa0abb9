using System.Buffers.Binary;

namespace Imago.Storage.Nbd;

/// <summary>
/// Sends simple replies on one connection. Requests finish in any order, so each reply (header plus read data)
/// goes out as one write under a lock: replies never interleave on the socket.
/// </summary>
internal sealed class NbdReplyWriter(Stream stream) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <summary>Fills the 16-byte simple reply header at the start of <paramref name="message"/>.</summary>
    public static void WriteHeader(Span<byte> message, NbdError error, ulong cookie)
    {
        BinaryPrimitives.WriteUInt32BigEndian(message, NbdProtocol.SimpleReplyMagic);
        BinaryPrimitives.WriteUInt32BigEndian(message[4..], (uint)error);
        BinaryPrimitives.WriteUInt64BigEndian(message[8..], cookie);
    }

    /// <summary>A reply without data: every command's success but READ's, and every error.</summary>
    public ValueTask SendAsync(NbdError error, ulong cookie, CancellationToken cancellationToken)
    {
        var message = new byte[NbdProtocol.SimpleReplyHeaderSize];
        WriteHeader(message, error, cookie);
        return SendAsync(message, cancellationToken);
    }

    /// <summary>A complete reply whose header was written with <see cref="WriteHeader"/>.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();
}
