using Microsoft.AspNetCore.Http;

namespace Imago.WebConsole.Pages.Images;

/// <summary>
/// A file part's body as the bucket store reads it: a read that fails because the request body ended inside the part
/// (a cut upload) becomes <see cref="ImportFormException"/>, so the page can tell it from the store's own I/O errors,
/// which stay what they are.
/// </summary>
internal sealed class ImportPartStream(Stream part, CancellationToken requestAborted) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await part.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException cut) when (cut is not BadHttpRequestException && !requestAborted.IsCancellationRequested)
        {
            throw ImportFormException.Cut(cut);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Kestrel forbids synchronous body reads; so does this stream.</summary>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the part asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
