namespace Imago.Formats;

/// <summary>
/// A run of the virtual disk with one allocation status, as qemu-img map reports it.
/// </summary>
/// <param name="Offset">Start in the virtual disk, bytes.</param>
/// <param name="Length">Length in bytes (greater than zero).</param>
/// <param name="Present">The image itself defines this range (false: unallocated, reads as zero).</param>
/// <param name="Zero">The range reads as zeros.</param>
/// <param name="Data">The range is backed by stored data (it may still happen to contain zeros).</param>
/// <param name="HostOffset">Where the data lives in the image file, when it is stored uncompressed and contiguously.</param>
/// <param name="Compressed">The data is stored compressed.</param>
public readonly record struct DiskExtent(
    long Offset,
    long Length,
    bool Present,
    bool Zero,
    bool Data,
    long? HostOffset = null,
    bool Compressed = false)
{
    public long End => Offset + Length;

    /// <summary>True when two extents could be merged into one map entry (same status, contiguous host offsets).</summary>
    public bool CanMergeWith(DiskExtent next) =>
        End == next.Offset && Present == next.Present && Zero == next.Zero && Data == next.Data
        && Compressed == next.Compressed
        && (HostOffset is null ? next.HostOffset is null : next.HostOffset == HostOffset + Length);
}
