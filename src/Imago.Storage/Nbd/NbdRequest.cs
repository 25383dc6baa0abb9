using System.Buffers.Binary;

namespace Imago.Storage.Nbd;

/// <summary>One transmission-phase request header, as the client sent it.</summary>
internal readonly record struct NbdRequest(CommandFlags Flags, NbdCommand Command, ulong Cookie, ulong Offset, uint Length)
{
    /// <summary>Flags this server understands; any other bit makes the request invalid.</summary>
    public const CommandFlags KnownFlags = CommandFlags.ForceUnitAccess | CommandFlags.NoHole;

    /// <summary>Parses a 28-byte header; a wrong magic means the stream lost its framing.</summary>
    public static NbdRequest Parse(ReadOnlySpan<byte> header)
    {
        var magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (magic != NbdProtocol.RequestMagic)
        {
            throw new NbdProtocolException($"request with magic 0x{magic:x8}");
        }

        return new NbdRequest(
            (CommandFlags)BinaryPrimitives.ReadUInt16BigEndian(header[4..]),
            (NbdCommand)BinaryPrimitives.ReadUInt16BigEndian(header[6..]),
            BinaryPrimitives.ReadUInt64BigEndian(header[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(header[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(header[24..]));
    }

    public bool ForceUnitAccess => Flags.HasFlag(CommandFlags.ForceUnitAccess);

    public bool HasUnknownFlags => (Flags & ~KnownFlags) != 0;

    /// <summary>True when [Offset, Offset + Length) lies inside a device of <paramref name="size"/> bytes.</summary>
    public bool FitsIn(long size) => Offset <= (ulong)size && Length <= (ulong)size - Offset;

    /// <summary>READ and WRITE lengths: non-zero and within the advertised maximum payload.</summary>
    public bool HasValidPayloadLength => Length is > 0 and <= NbdServerOptions.MaxPayloadLength;
}
