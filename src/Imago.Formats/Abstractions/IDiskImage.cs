namespace Imago.Formats;

/// <summary>
/// A disk image opened for reading: the virtual disk it describes, whatever the container format.
/// Instances are only ever created after the inspector has cleared the file.
/// Implementations are safe for concurrent reads.
/// </summary>
public interface IDiskImage : IAsyncDisposable
{
    ImageFormat Format { get; }

    /// <summary>Size of the virtual disk in bytes.</summary>
    long VirtualSize { get; }

    /// <summary>Details for <c>imago img info</c> (cluster size, dirty flag, format-specific fields).</summary>
    ImageDetails Details { get; }

    /// <summary>
    /// Fills <paramref name="buffer"/> with the virtual disk's bytes at <paramref name="offset"/>.
    /// <c>offset + buffer.Length</c> must not exceed <see cref="VirtualSize"/>.
    /// Throws <see cref="ImageFormatException"/> when the image's metadata is found to be corrupt.
    /// </summary>
    ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>
    /// The extent that starts at <paramref name="offset"/> and has one status, at most
    /// <paramref name="maxLength"/> bytes long (and never past <see cref="VirtualSize"/>).
    /// Used by map and by convert to skip what is unallocated or zero without reading it.
    /// </summary>
    ValueTask<DiskExtent> GetExtentAsync(long offset, long maxLength, CancellationToken cancellationToken = default);
}

/// <summary>What <c>info</c> shows beyond format and virtual size, with qemu-img's JSON names in mind.</summary>
/// <param name="ClusterSize">qcow2 cluster size or VHD block size; null for raw.</param>
/// <param name="DirtyFlag">qcow2's dirty bit; null where the format has none.</param>
/// <param name="FormatSpecific">qemu-img's "format-specific" data object (keys as qemu names them), or null.</param>
public sealed record ImageDetails(
    int? ClusterSize = null,
    bool? DirtyFlag = null,
    IReadOnlyDictionary<string, object?>? FormatSpecific = null)
{
    public static ImageDetails None { get; } = new();
}
