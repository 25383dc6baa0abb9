using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Imago.Storage.Tests.Nbd;

/// <summary>
/// A byte-level NBD client for the tests qemu cannot express: malformed handshakes and requests, and exact
/// checks of replies. Every wait is bounded by the token given at construction.
/// </summary>
internal sealed class RawNbdClient : IAsyncDisposable
{
    public const ulong OptionMagic = 0x49484156454F5054;
    public const uint RequestMagic = 0x25609513;

    public const uint OptExportName = 1, OptAbort = 2, OptList = 3, OptStartTls = 5, OptInfo = 6, OptGo = 7,
        OptStructuredReply = 8;

    public const uint RepAck = 1, RepServer = 2, RepInfo = 3, RepErrUnsup = 0x80000001, RepErrInvalid = 0x80000003,
        RepErrUnknown = 0x80000006;

    public const ushort CmdRead = 0, CmdWrite = 1, CmdDisc = 2, CmdFlush = 3, CmdTrim = 4, CmdWriteZeroes = 6;

    public const uint EPERM = 1, EIO = 5, EINVAL = 22, ENOSPC = 28;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly CancellationToken _token;

    private RawNbdClient(TcpClient tcp, CancellationToken token)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _token = token;
    }

    /// <summary>Connects and reads the 18-byte greeting (NBDMAGIC, IHAVEOPT, handshake flags).</summary>
    public static async Task<RawNbdClient> ConnectAsync(int port, CancellationToken token)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port, token);
        var client = new RawNbdClient(tcp, token);
        var greeting = await client.ReadAsync(18);
        if (Encoding.ASCII.GetString(greeting, 0, 8) != "NBDMAGIC"
            || BinaryPrimitives.ReadUInt64BigEndian(greeting.AsSpan(8)) != OptionMagic)
        {
            throw new InvalidOperationException("bad greeting");
        }

        client.HandshakeFlags = BinaryPrimitives.ReadUInt16BigEndian(greeting.AsSpan(16));
        return client;
    }

    /// <summary>Connects, sends FIXED_NEWSTYLE | NO_ZEROES and GO for <paramref name="export"/>.</summary>
    public static async Task<(RawNbdClient Client, ulong Size, ushort Flags)> OpenAsync(int port, string export,
        CancellationToken token)
    {
        var client = await ConnectAsync(port, token);
        await client.SendClientFlagsAsync(3);
        var (size, flags) = await client.GoAsync(export);
        return (client, size, flags);
    }

    public ushort HandshakeFlags { get; private set; }

    public Task SendClientFlagsAsync(uint flags) => SendAsync(U32(flags));

    public Task SendOptionAsync(uint option, byte[] data) =>
        SendAsync([.. U64(OptionMagic), .. U32(option), .. U32((uint)data.Length), .. data]);

    public async Task<(uint Option, uint Type, byte[] Data)> ReadOptionReplyAsync()
    {
        var header = await ReadAsync(20);
        Assert.Equal(0x3e889045565a9UL, BinaryPrimitives.ReadUInt64BigEndian(header));
        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16));
        Assert.True(length < 1 << 20, "option reply length");
        return (BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8)), BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12)),
            await ReadAsync((int)length));
    }

    /// <summary>INFO/GO data: name length, name, and the info types requested.</summary>
    public static byte[] InfoRequest(string name, params ushort[] infos)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var data = new List<byte>([.. U32((uint)nameBytes.Length), .. nameBytes, .. U16((ushort)infos.Length)]);
        foreach (var i in infos)
        {
            data.AddRange(U16(i));
        }

        return [.. data];
    }

    /// <summary>Sends GO and reads the INFO replies up to ACK; fails the test on an error reply.</summary>
    public async Task<(ulong Size, ushort Flags)> GoAsync(string export)
    {
        await SendOptionAsync(OptGo, InfoRequest(export));
        ulong size = 0;
        ushort flags = 0;
        while (true)
        {
            var (_, type, data) = await ReadOptionReplyAsync();
            if (type == RepAck)
            {
                return (size, flags);
            }

            Assert.Equal(RepInfo, type);
            if (BinaryPrimitives.ReadUInt16BigEndian(data) == 0)
            {
                size = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(2));
                flags = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(10));
            }
        }
    }

    public static byte[] RequestHeader(ushort flags, ushort type, ulong cookie, ulong offset, uint length, uint magic = RequestMagic) =>
        [.. U32(magic), .. U16(flags), .. U16(type), .. U64(cookie), .. U64(offset), .. U32(length)];

    public Task SendRequestAsync(ushort type, ulong cookie, ulong offset, uint length, byte[]? payload = null, ushort flags = 0) =>
        SendAsync([.. RequestHeader(flags, type, cookie, offset, length), .. payload ?? []]);

    /// <summary>Reads a simple reply; <paramref name="dataLength"/> bytes follow it when it reports success.</summary>
    public async Task<(uint Error, ulong Cookie, byte[] Data)> ReadReplyAsync(int dataLength = 0)
    {
        var header = await ReadAsync(16);
        Assert.Equal(0x67446698U, BinaryPrimitives.ReadUInt32BigEndian(header));
        var error = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        var data = error == 0 && dataLength > 0 ? await ReadAsync(dataLength) : [];
        return (error, BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8)), data);
    }

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes, _token);

    public async Task<byte[]> ReadAsync(int count)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer, _token);
        return buffer;
    }

    /// <summary>True when the server has closed the connection: a read ends (or resets) without data.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        try
        {
            var buffer = new byte[1];
            return await _stream.ReadAsync(buffer, _token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Closes the socket abruptly, as a crashing client would.</summary>
    public void Abort() => _tcp.Client.Close(0);

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    public static byte[] U16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, v);
        return b;
    }

    public static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return b;
    }

    public static byte[] U64(ulong v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, v);
        return b;
    }
}
