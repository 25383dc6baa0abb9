using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Imago.Storage.Chunks;

/// <summary>
/// The SHA-256 of a chunk's bytes: its name in the store. The all-zero value is reserved as the
/// <see cref="Zero"/> reference, "this block reads as zeros", which is never stored (finding a
/// SHA-256 preimage of 32 zero bytes is infeasible, so no real chunk can collide with it).
/// </summary>
public readonly record struct ChunkHash(ulong A, ulong B, ulong C, ulong D)
{
    public const int Size = 32;

    public static ChunkHash Zero => default;

    public bool IsZero => (A | B | C | D) == 0;

    public static ChunkHash Compute(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Size];
        SHA256.HashData(data, digest);
        return Read(digest);
    }

    public static ChunkHash Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64BigEndian(bytes),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, A);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], D);
    }

    /// <summary>Lower-case hex, as sha256sum prints it.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        Write(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Parses 64 hex digits; false for anything else (file names found on disk are untrusted).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ChunkHash hash)
    {
        hash = default;
        Span<byte> bytes = stackalloc byte[Size];
        if (text.Length != Size * 2 || Convert.FromHexString(text, bytes, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != Size)
        {
            return false;
        }

        hash = Read(bytes);
        return true;
    }

    public static ChunkHash Parse(string text) =>
        TryParse(text, out var hash) ? hash : throw new FormatException($"'{text}' is not a SHA-256 chunk name");
}
