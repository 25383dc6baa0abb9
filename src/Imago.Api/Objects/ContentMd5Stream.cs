using System.Security.Cryptography;

namespace Imago.Api.Objects;

/// <summary>
/// Passes an upload through to the bucket store and, at its end, compares its MD5 with the request's Content-MD5:
/// a mismatch throws InvalidDigest from the read that would have ended the stream, so the store's put fails and
/// leaves the previous object in place (its puts are atomic) instead of publishing the wrong bytes.
/// </summary>
public sealed class ContentMd5Stream(Stream inner, byte[] expected) : Stream
{
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);

    /// <summary>The decoded Content-MD5 (16 bytes of Base64), or InvalidDigest.</summary>
    public static byte[] Decode(string header)
    {
        var bytes = new byte[16];
        return Convert.TryFromBase64String(header.Trim(), bytes, out var written) && written == 16 ? bytes : throw OssErrors.InvalidDigest();
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n > 0)
        {
            _md5.AppendData(buffer.Span[..n]);
        }
        else if (!CryptographicOperations.FixedTimeEquals(_md5.GetCurrentHash(), expected))
        {
            throw OssErrors.InvalidDigest();
        }

        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read the upload asynchronously");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _md5.Dispose();
        }

        base.Dispose(disposing);
    }
}
