using Microsoft.Win32.SafeHandles;

namespace Imago.Formats.IO;

/// <summary>Holes in files, for stores outside this assembly that keep content sparse (bucket objects).</summary>
public static class SparseFiles
{
    /// <summary>
    /// The run of the file starting at <paramref name="offset"/> (SEEK_DATA/SEEK_HOLE): data or hole, and where it ends
    /// (at most <paramref name="fileLength"/>); null when the system cannot tell.
    /// </summary>
    public static (bool IsData, long End)? FindRun(SafeFileHandle handle, long offset, long fileLength) =>
        PosixFile.FindRun(handle, offset, fileLength);
}
