using System.Buffers.Binary;
using System.Text;

namespace Imago.Core.Buckets;

/// <summary>
/// The fixed 4 KiB header at the start of every object file of the directory store, followed by the content.
/// Key and metadata live in the same file as the bytes, so one rename publishes both: there is no moment when a
/// name exists without its key or its key without its bytes.
/// <code>
/// 0   "IMAGOOBJ"          8   version (u32 LE, 1)   12  key length (u16 LE)   14  parts (u16 LE)
/// 16  size (i64 LE)       24  last modified (Unix ms, i64 LE)   32  MD5 (16)   48  SHA-256 (32)
/// 80  key (UTF-8, up to 1024 bytes)   ...zeros...   4096  content
/// </code>
/// Parts 0 (what every object of the first release has, where the field was reserved): a simple put, MD5 and SHA-256
/// of the content. Parts 1 to 10,000: stored in parts (<see cref="IPartedPutBucketStore"/>), MD5 as
/// <see cref="ObjectParts.CombinedMd5"/>, no SHA-256 (zeros).
/// </summary>
internal sealed record ObjectHeader(byte[] KeyBytes, long Size, DateTime LastModified, byte[] Md5, byte[] Sha256, int Parts = 0)
{
    public const int Length = 4096;
    private const int KeyOffset = 80;
    private const uint Version = 1;
    private static readonly byte[] Magic = "IMAGOOBJ"u8.ToArray();

    public string Key => Encoding.UTF8.GetString(KeyBytes);

    public ObjectInfo ToInfo() =>
        new(Key, Size, ObjectParts.ETag(Md5, Parts), Parts == 0 ? Convert.ToHexStringLower(Sha256) : null, LastModified);

    public byte[] Encode()
    {
        var header = new byte[Length];
        var span = header.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], checked((ushort)KeyBytes.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(span[14..], checked((ushort)Parts));
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], Size);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], new DateTimeOffset(LastModified).ToUnixTimeMilliseconds());
        Md5.CopyTo(span[32..]);
        Sha256.CopyTo(span[48..]);
        KeyBytes.CopyTo(span[KeyOffset..]);
        return header;
    }

    /// <summary>The header of an object file, or null when it is not one (wrong magic, version or bounds, or a size that disagrees with the file).</summary>
    public static ObjectHeader? TryDecode(ReadOnlySpan<byte> header, long fileLength)
    {
        if (header.Length < Length || !header[..8].SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) != Version)
        {
            return null;
        }

        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(header[12..]);
        var parts = BinaryPrimitives.ReadUInt16LittleEndian(header[14..]);
        var size = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        var modified = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        if (keyLength is 0 or > ObjectKeys.MaxBytes || parts > ObjectParts.MaxParts || size != fileLength - Length
            || modified < 0 || modified > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return null;
        }

        return new ObjectHeader(header.Slice(KeyOffset, keyLength).ToArray(), size,
            DateTimeOffset.FromUnixTimeMilliseconds(modified).UtcDateTime, header.Slice(32, 16).ToArray(), header.Slice(48, 32).ToArray(), parts);
    }
}
