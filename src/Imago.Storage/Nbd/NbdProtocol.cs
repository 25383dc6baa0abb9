namespace Imago.Storage.Nbd;

/// <summary>
/// Wire constants of the NBD protocol (NetworkBlockDevice/nbd doc/proto.md), fixed newstyle handshake and
/// simple replies only. Every field on the wire is big-endian.
/// </summary>
internal static class NbdProtocol
{
    /// <summary>"NBDMAGIC", the first 8 bytes the server sends.</summary>
    public const ulong InitMagic = 0x4e42444d41474943;

    /// <summary>"IHAVEOPT": follows InitMagic in newstyle, and prefixes every option the client sends.</summary>
    public const ulong OptionMagic = 0x49484156454F5054;

    /// <summary>Prefixes every option reply the server sends.</summary>
    public const ulong OptionReplyMagic = 0x3e889045565a9;

    public const uint RequestMagic = 0x25609513;
    public const uint SimpleReplyMagic = 0x67446698;

    /// <summary>A request header: magic, flags, type, cookie, offset, length.</summary>
    public const int RequestHeaderSize = 28;

    /// <summary>A simple reply header: magic, error, cookie.</summary>
    public const int SimpleReplyHeaderSize = 16;

    /// <summary>An option header from the client: magic, option, length.</summary>
    public const int OptionHeaderSize = 16;

    /// <summary>An option reply header: magic, option, reply type, length.</summary>
    public const int OptionReplyHeaderSize = 20;

    /// <summary>Zero padding after the NBD_OPT_EXPORT_NAME reply unless the client set NO_ZEROES.</summary>
    public const int ExportNameZeroPadding = 124;
}

[Flags]
internal enum HandshakeFlags : ushort
{
    FixedNewstyle = 1 << 0,
    NoZeroes = 1 << 1,
}

[Flags]
internal enum ClientFlags : uint
{
    FixedNewstyle = 1 << 0,
    NoZeroes = 1 << 1,
}

[Flags]
internal enum TransmissionFlags : ushort
{
    HasFlags = 1 << 0,
    ReadOnly = 1 << 1,
    SendFlush = 1 << 2,
    SendFua = 1 << 3,
    SendTrim = 1 << 5,
    SendWriteZeroes = 1 << 6,
}

internal enum NbdOption : uint
{
    ExportName = 1,
    Abort = 2,
    List = 3,
    StartTls = 5,
    Info = 6,
    Go = 7,
    StructuredReply = 8,
}

internal enum OptionReply : uint
{
    Ack = 1,
    Server = 2,
    Info = 3,
    ErrUnsupported = 0x80000001,
    ErrInvalid = 0x80000003,
    ErrUnknown = 0x80000006,
    ErrShutdown = 0x80000007,
}

internal enum InfoType : ushort
{
    Export = 0,
    Name = 1,
    Description = 2,
    BlockSize = 3,
}

internal enum NbdCommand : ushort
{
    Read = 0,
    Write = 1,
    Disconnect = 2,
    Flush = 3,
    Trim = 4,
    WriteZeroes = 6,
}

[Flags]
internal enum CommandFlags : ushort
{
    None = 0,
    ForceUnitAccess = 1 << 0,
    NoHole = 1 << 1,
}

/// <summary>The errno values NBD replies carry (the protocol fixes them, independent of the host OS).</summary>
internal enum NbdError : uint
{
    None = 0,
    NotPermitted = 1,   // EPERM
    IoError = 5,        // EIO
    NoMemory = 12,      // ENOMEM
    Invalid = 22,       // EINVAL
    NoSpace = 28,       // ENOSPC
    Shutdown = 108,     // ESHUTDOWN
}
