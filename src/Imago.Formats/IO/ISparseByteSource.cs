namespace Imago.Formats.IO;

/// <summary>
/// A byte source that knows where its holes are (a sparse file, an object stored sparse): raw images over it report
/// holes as zero extents, so conversions and imports skip them without reading, as qemu-img does on a sparse file.
/// </summary>
public interface ISparseByteSource : IByteSource
{
    /// <summary>
    /// The run starting at <paramref name="offset"/>: whether it holds data (false: a hole, reads as zeros) and where
    /// it ends; null when unknown (treat as data).
    /// </summary>
    (bool IsData, long End)? FindRun(long offset);
}
