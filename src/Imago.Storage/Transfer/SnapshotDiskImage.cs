using Imago.Formats;
using Imago.Storage.Volumes;

namespace Imago.Storage.Transfer;

/// <summary>
/// A snapshot seen as a raw disk image, so the format engine's converter can write it out as any format:
/// blocks with the zero reference are reported as zero extents and never read.
/// </summary>
internal sealed class SnapshotDiskImage(StoredDisk disk) : IDiskImage
{
    public ImageFormat Format => ImageFormat.Raw;

    public long VirtualSize => disk.Size;

    public ImageDetails Details => ImageDetails.None;

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        disk.ReadAsync(offset, buffer, cancellationToken);

    public async ValueTask<DiskExtent> GetExtentAsync(long offset, long maxLength, CancellationToken cancellationToken = default)
    {
        var (length, zero) = await disk.GetRunAsync(offset, Math.Min(maxLength, disk.Size - offset), cancellationToken).ConfigureAwait(false);
        return new DiskExtent(offset, length, Present: !zero, Zero: zero, Data: !zero);
    }

    // The disk belongs to the caller, who disposes it after the conversion.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
