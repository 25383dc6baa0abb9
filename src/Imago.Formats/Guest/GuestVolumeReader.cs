namespace Imago.Formats.Guest;

/// <summary>One partition (or the whole disk) as a byte range: reads are relative to its start and stay inside it.</summary>
internal sealed class GuestVolumeReader(GuestDisk disk, long start, long length)
{
    public long Length { get; } = length;

    public ValueTask<byte[]> ReadAsync(long offset, int count, CancellationToken cancellationToken)
    {
        if (offset < 0 || count < 0 || offset > Length - count)
        {
            throw new GuestDataException($"a read of {count} bytes at {offset} lies outside the volume");
        }

        return disk.ReadAsync(start + offset, count, cancellationToken);
    }

    /// <summary>Reads what exists of the first <paramref name="count"/> bytes (a probe of a volume smaller than the probe).</summary>
    public ValueTask<byte[]> ReadHeadAsync(int count, CancellationToken cancellationToken) =>
        ReadAsync(0, (int)Math.Min(count, Length), cancellationToken);
}
