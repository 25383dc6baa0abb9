using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Imago.Storage.IO;

/// <summary>
/// Makes room at the start of a file without copying it: fallocate(2) with FALLOC_FL_INSERT_RANGE shifts every
/// byte from the offset on by the length and leaves a hole there (ext4 and XFS; the offset and length must be
/// multiples of the file system's block size, and the offset inside the file). What lets a finished staging file
/// gain a header and become a bucket object by a rename, instead of being copied behind one.
/// </summary>
internal static partial class FileRangeShift
{
    private const int InsertRange = 0x20; // FALLOC_FL_INSERT_RANGE, linux/falloc.h

    /// <summary>
    /// Inserts <paramref name="length"/> bytes of hole at <paramref name="offset"/>; false (and the file unchanged)
    /// when the system or file system cannot (not Linux, EOPNOTSUPP, an unaligned length, an empty file).
    /// </summary>
    public static bool TryInsertHole(SafeFileHandle handle, long offset, long length) =>
        OperatingSystem.IsLinux() && fallocate(handle, InsertRange, offset, length) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fallocate(SafeFileHandle fd, int mode, long offset, long length);
}
