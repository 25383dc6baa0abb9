namespace Imago.Core.Copying;

/// <summary>
/// What copies moved since the service started (exposed on /metrics as imago_copy_*): chunk bytes and chunks sent to
/// destination stores, chunks skipped because the destination already held them, and copies finished.
/// </summary>
public sealed class CopyCounters
{
    private long _bytesSent;
    private long _chunksSent;
    private long _chunksSkipped;
    private long _copiesFinished;

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long ChunksSent => Interlocked.Read(ref _chunksSent);

    public long ChunksSkipped => Interlocked.Read(ref _chunksSkipped);

    public long CopiesFinished => Interlocked.Read(ref _copiesFinished);

    public void AddSent(long bytes)
    {
        Interlocked.Add(ref _bytesSent, bytes);
        Interlocked.Increment(ref _chunksSent);
    }

    public void AddSkipped(long chunks) => Interlocked.Add(ref _chunksSkipped, chunks);

    public void AddFinished() => Interlocked.Increment(ref _copiesFinished);
}
