namespace Imago.Cli;

/// <summary>Copies a stream to its end in 1 MiB steps, reporting the bytes copied so far (uploads and downloads with a bar).</summary>
internal static class StreamCopy
{
    public const int BufferBytes = 1 << 20;

    /// <returns>The bytes copied.</returns>
    public static async Task<long> CopyAsync(Stream source, Stream target, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferBytes];
        long done = 0;
        progress?.Report(0);
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await target.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            done += n;
            progress?.Report(done);
        }

        return done;
    }
}
