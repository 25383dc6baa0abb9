namespace Imago.Formats.Guest;

/// <summary>
/// A volume as a byte range: a partition (one run of the disk) or an LVM logical volume (runs of its physical
/// volume, in order). Reads are relative to the volume's start and stay inside it.
/// </summary>
internal sealed class GuestVolumeReader
{
    private readonly GuestDisk _disk;
    private readonly IReadOnlyList<DiskRun> _runs;

    public GuestVolumeReader(GuestDisk disk, long start, long length)
        : this(disk, [new DiskRun(start, length)])
    {
    }

    public GuestVolumeReader(GuestDisk disk, IReadOnlyList<DiskRun> runs)
    {
        _disk = disk;
        _runs = runs;
        Length = runs.Sum(r => r.Length);
    }

    public long Length { get; }

    public async ValueTask<byte[]> ReadAsync(long offset, int count, CancellationToken cancellationToken)
    {
        if (offset < 0 || count < 0 || count > GuestDisk.MaxReadBytes || offset > Length - count)
        {
            throw new GuestDataException($"a read of {count} bytes at {offset} lies outside the volume");
        }

        if (_runs.Count == 1)
        {
            return await _disk.ReadAsync(_runs[0].DiskOffset + offset, count, cancellationToken).ConfigureAwait(false);
        }

        var result = new byte[count];
        var done = 0;
        var runStart = 0L;
        foreach (var run in _runs)
        {
            if (done == count)
            {
                break;
            }

            var at = offset + done;
            if (at < runStart + run.Length)
            {
                var piece = (int)Math.Min(count - done, runStart + run.Length - at);
                var bytes = await _disk.ReadAsync(run.DiskOffset + (at - runStart), piece, cancellationToken).ConfigureAwait(false);
                bytes.CopyTo(result, done);
                done += piece;
            }

            runStart += run.Length;
        }

        return result;
    }

    /// <summary>Reads what exists of the first <paramref name="count"/> bytes (a probe of a volume smaller than the probe).</summary>
    public ValueTask<byte[]> ReadHeadAsync(int count, CancellationToken cancellationToken) =>
        ReadAsync(0, (int)Math.Min(count, Length), cancellationToken);
}

/// <summary>A stretch of the disk that is part of a volume.</summary>
internal readonly record struct DiskRun(long DiskOffset, long Length);
