namespace Imago.Formats.Guest;

/// <summary>
/// The whole disk for detection, with a read budget: every read is bounds-checked and counted, so a hostile disk
/// that sends the parsers round in circles runs out of budget (<see cref="GuestDataException"/>) instead of time.
/// </summary>
internal sealed class GuestDisk(long size, GuestDiskRead read)
{
    /// <summary>Largest single read: big enough for a GPT entry array or a directory block, small for memory.</summary>
    public const int MaxReadBytes = 1 << 20;

    /// <summary>Total bytes one detection may read; a real root file system needs a few hundred KiB.</summary>
    private const long ByteBudget = 64L << 20;

    /// <summary>Total reads one detection may make (each costs at least a round trip to the store).</summary>
    private const int ReadBudget = 20_000;

    private long _bytesRead;
    private int _reads;

    public long Size { get; } = size;

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        CheckRange(offset, buffer.Length);
        _bytesRead += buffer.Length;
        if (++_reads > ReadBudget || _bytesRead > ByteBudget)
        {
            throw new GuestDataException("the disk needs more reads than detection allows");
        }

        await read(offset, buffer, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<byte[]> ReadAsync(long offset, int length, CancellationToken cancellationToken)
    {
        CheckRange(offset, length); // before allocating: the length may come from the disk
        var buffer = new byte[length];
        await ReadAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
        return buffer;
    }

    private void CheckRange(long offset, int length)
    {
        if (offset < 0 || length < 0 || length > MaxReadBytes || offset > Size - length)
        {
            throw new GuestDataException($"a read of {length} bytes at {offset} lies outside the disk");
        }
    }
}
