using System.Buffers.Binary;
using System.Text;

namespace Imago.Storage.Nbd;

/// <summary>
/// The fixed newstyle handshake and option haggling for one connection: greets the client, answers LIST, INFO
/// and unsupported options, and ends with GO or EXPORT_NAME (an export chosen) or ABORT / end of stream (none).
/// </summary>
internal sealed class NbdHandshake(Stream stream, INbdExportProvider provider, NbdServerOptions options)
{
    private const HandshakeFlags ServerFlags = HandshakeFlags.FixedNewstyle | HandshakeFlags.NoZeroes;

    /// <summary>The protocol's limit for every string, export names and error messages included.</summary>
    private const int MaxNameLength = 4096;

    private bool _noZeroes;

    /// <summary>Set by GO or EXPORT_NAME: the export the transmission phase serves.</summary>
    private NegotiatedExport? _chosen;

    /// <summary>Runs the handshake; returns the chosen export, or null when the client ended the session.</summary>
    public async Task<NegotiatedExport?> RunAsync(CancellationToken cancellationToken)
    {
        var greeting = new byte[18];
        BinaryPrimitives.WriteUInt64BigEndian(greeting, NbdProtocol.InitMagic);
        BinaryPrimitives.WriteUInt64BigEndian(greeting.AsSpan(8), NbdProtocol.OptionMagic);
        BinaryPrimitives.WriteUInt16BigEndian(greeting.AsSpan(16), (ushort)ServerFlags);
        await stream.WriteAsync(greeting, cancellationToken).ConfigureAwait(false);

        var clientFlagBytes = new byte[4];
        await stream.ReadExactlyAsync(clientFlagBytes, cancellationToken).ConfigureAwait(false);
        var clientFlags = (ClientFlags)BinaryPrimitives.ReadUInt32BigEndian(clientFlagBytes);
        if ((clientFlags & ~(ClientFlags.FixedNewstyle | ClientFlags.NoZeroes)) != 0)
        {
            throw new NbdProtocolException($"client set unknown handshake flags 0x{(uint)clientFlags:x}");
        }

        _noZeroes = clientFlags.HasFlag(ClientFlags.NoZeroes);

        var header = new byte[NbdProtocol.OptionHeaderSize];
        while (true)
        {
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            if (BinaryPrimitives.ReadUInt64BigEndian(header) != NbdProtocol.OptionMagic)
            {
                throw new NbdProtocolException("option without the IHAVEOPT magic");
            }

            var option = (NbdOption)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8));
            var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
            if (length > (uint)options.MaxOptionLength)
            {
                // Never allocate what an untrusted length says; there is no way to skip it cheaply either.
                throw new NbdProtocolException($"option {(uint)option} of {length} bytes exceeds {options.MaxOptionLength}");
            }

            var data = new byte[length];
            await stream.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);

            if (await HandleOptionAsync(option, data, cancellationToken).ConfigureAwait(false))
            {
                return _chosen;
            }
        }
    }

    /// <summary>True when the option ends the handshake (<see cref="_chosen"/> says with which export, if any).</summary>
    private async Task<bool> HandleOptionAsync(
        NbdOption option, byte[] data, CancellationToken cancellationToken)
    {
        switch (option)
        {
            case NbdOption.ExportName:
                _chosen = await ExportNameAsync(data, cancellationToken).ConfigureAwait(false);
                return true;
            case NbdOption.Abort:
                await ReplyAsync(option, OptionReply.Ack, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                return true;
            case NbdOption.List:
                await ListAsync(data, cancellationToken).ConfigureAwait(false);
                return false;
            case NbdOption.Info:
            case NbdOption.Go:
                _chosen = await InfoOrGoAsync(option, data, cancellationToken).ConfigureAwait(false);
                return _chosen is not null;
            default:
                // STARTTLS, STRUCTURED_REPLY, meta contexts, extended headers and anything newer: simple replies only.
                await ReplyErrorAsync(option, OptionReply.ErrUnsupported, $"option {(uint)option} is not supported",
                    cancellationToken).ConfigureAwait(false);
                return false;
        }
    }

    private async Task<NegotiatedExport> ExportNameAsync(byte[] data, CancellationToken cancellationToken)
    {
        var name = DecodeName(data);
        // This option cannot report errors: an unknown export ends the session, as the protocol requires.
        var device = await OpenAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new NbdProtocolException($"unknown export '{name}' requested with NBD_OPT_EXPORT_NAME");
        try
        {
            var flags = NegotiatedExport.FlagsFor(device);
            var reply = new byte[10 + (_noZeroes ? 0 : NbdProtocol.ExportNameZeroPadding)];
            BinaryPrimitives.WriteUInt64BigEndian(reply, (ulong)device.Size);
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(8), (ushort)flags);
            await stream.WriteAsync(reply, cancellationToken).ConfigureAwait(false);
            return new NegotiatedExport(name, device, flags);
        }
        catch
        {
            await device.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ListAsync(byte[] data, CancellationToken cancellationToken)
    {
        if (data.Length != 0)
        {
            await ReplyErrorAsync(NbdOption.List, OptionReply.ErrInvalid, "NBD_OPT_LIST carries no data",
                cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var export in await provider.ListExportsAsync(cancellationToken).ConfigureAwait(false))
        {
            var name = Encoding.UTF8.GetBytes(export.Name);
            var description = Encoding.UTF8.GetBytes(export.Description ?? "");
            var payload = new byte[4 + name.Length + description.Length];
            BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)name.Length);
            name.CopyTo(payload, 4);
            description.CopyTo(payload, 4 + name.Length);
            await ReplyAsync(NbdOption.List, OptionReply.Server, payload, cancellationToken).ConfigureAwait(false);
        }

        await ReplyAsync(NbdOption.List, OptionReply.Ack, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Answers INFO (returns null) or GO (returns the export when it exists).</summary>
    private async Task<NegotiatedExport?> InfoOrGoAsync(NbdOption option, byte[] data, CancellationToken cancellationToken)
    {
        if (!TryParseInfoRequest(data, out var name, out var requested))
        {
            await ReplyErrorAsync(option, OptionReply.ErrInvalid, "malformed NBD_OPT_INFO/GO data", cancellationToken)
                .ConfigureAwait(false);
            return null;
        }

        IBlockDevice? device;
        try
        {
            device = await OpenAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The export exists but cannot be opened now (a damaged record, a volume open elsewhere): this option can
            // say so, as "not available" (NBD_REP_ERR_UNKNOWN), and the client may go on to try another export.
            await ReplyErrorAsync(option, OptionReply.ErrUnknown, $"export '{name}' cannot be opened: {e.Message}",
                cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (device is null)
        {
            await ReplyErrorAsync(option, OptionReply.ErrUnknown, $"no export named '{name}'", cancellationToken)
                .ConfigureAwait(false);
            return null;
        }

        var handedOver = false;
        try
        {
            var flags = NegotiatedExport.FlagsFor(device);
            await SendInfoAsync(option, device, flags, name, requested, cancellationToken).ConfigureAwait(false);
            await ReplyAsync(option, OptionReply.Ack, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            if (option != NbdOption.Go)
            {
                return null;
            }

            handedOver = true;
            return new NegotiatedExport(name, device, flags);
        }
        finally
        {
            if (!handedOver)
            {
                await device.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task SendInfoAsync(NbdOption option, IBlockDevice device, TransmissionFlags flags, string name,
        HashSet<InfoType> requested, CancellationToken cancellationToken)
    {
        var export = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(export, (ushort)InfoType.Export);
        BinaryPrimitives.WriteUInt64BigEndian(export.AsSpan(2), (ulong)device.Size);
        BinaryPrimitives.WriteUInt16BigEndian(export.AsSpan(10), (ushort)flags);
        await ReplyAsync(option, OptionReply.Info, export, cancellationToken).ConfigureAwait(false);

        // Sent even when not requested: a minimum of 1 constrains nothing, and the limits tell the client
        // the payload cap it must respect instead of learning it from EINVAL.
        var blockSize = new byte[14];
        BinaryPrimitives.WriteUInt16BigEndian(blockSize, (ushort)InfoType.BlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(blockSize.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt32BigEndian(blockSize.AsSpan(6), NbdServerOptions.PreferredBlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(blockSize.AsSpan(10), NbdServerOptions.MaxPayloadLength);
        await ReplyAsync(option, OptionReply.Info, blockSize, cancellationToken).ConfigureAwait(false);

        if (requested.Contains(InfoType.Name))
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var info = new byte[2 + nameBytes.Length];
            BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)InfoType.Name);
            nameBytes.CopyTo(info, 2);
            await ReplyAsync(option, OptionReply.Info, info, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>INFO/GO data: u32 name length, name, u16 request count, u16 × count info types.</summary>
    private static bool TryParseInfoRequest(byte[] data, out string name, out HashSet<InfoType> requested)
    {
        name = "";
        requested = [];
        if (data.Length < 6)
        {
            return false;
        }

        var nameLength = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (nameLength > (uint)data.Length - 6 || nameLength > MaxNameLength)
        {
            return false;
        }

        var countOffset = 4 + (int)nameLength;
        var count = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(countOffset));
        if (data.Length != countOffset + 2 + (2 * count))
        {
            return false;
        }

        name = DecodeName(data.AsSpan(4, (int)nameLength));
        for (var i = 0; i < count; i++)
        {
            requested.Add((InfoType)BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(countOffset + 2 + (2 * i))));
        }

        return true;
    }

    private static string DecodeName(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private async Task<IBlockDevice?> OpenAsync(string name, CancellationToken cancellationToken)
    {
        var resolved = name.Length == 0 ? provider.DefaultExportName : name;
        return resolved is null ? null : await provider.OpenExportAsync(resolved, cancellationToken).ConfigureAwait(false);
    }

    private Task ReplyErrorAsync(NbdOption option, OptionReply error, string message, CancellationToken cancellationToken)
    {
        // The protocol caps every string at 4096 bytes; an exception message (with a name in it) could be longer.
        var bytes = Encoding.UTF8.GetBytes(message);
        if (bytes.Length > MaxNameLength)
        {
            var cut = MaxNameLength;
            while (cut > 0 && (bytes[cut] & 0xC0) == 0x80)
            {
                cut--; // never split a UTF-8 sequence
            }

            bytes = bytes[..cut];
        }

        return ReplyAsync(option, error, bytes, cancellationToken);
    }

    private async Task ReplyAsync(NbdOption option, OptionReply type, ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken)
    {
        var message = new byte[NbdProtocol.OptionReplyHeaderSize + payload.Length];
        BinaryPrimitives.WriteUInt64BigEndian(message, NbdProtocol.OptionReplyMagic);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), (uint)option);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(12), (uint)type);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(16), (uint)payload.Length);
        payload.Span.CopyTo(message.AsSpan(NbdProtocol.OptionReplyHeaderSize));
        await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
    }
}
