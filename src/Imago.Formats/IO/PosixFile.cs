using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Imago.Formats.IO;

/// <summary>
/// The few Linux file calls .NET does not expose: hole/data lookup (SEEK_DATA/SEEK_HOLE), fsync and
/// the allocated block count. Every method degrades to a safe answer elsewhere (all data, no fsync).
/// </summary>
internal static partial class PosixFile
{
    // Linux values (include/uapi/linux/fs.h): not portable, hence the OperatingSystem.IsLinux guards.
    private const int SeekData = 3;
    private const int SeekHole = 4;
    private const int Enxio = 6;
    private const int AtFdCwd = -100;
    private const uint SyncFileRangeWrite = 2;
    private const uint StatxBlocks = 0x400;
    private const int StatxBlocksOffset = 48; // struct statx: stx_blocks follows mask, blksize, attributes, nlink, uid, gid, mode, ino, size
    private const int StatxBufferSize = 256;

    /// <summary>
    /// Finds where the data run or hole containing <paramref name="offset"/> ends. Returns null when the
    /// file system cannot say (then callers treat everything as data).
    /// </summary>
    public static (bool IsData, long End)? FindRun(SafeFileHandle handle, long offset, long fileLength)
    {
        if (!OperatingSystem.IsLinux() || offset >= fileLength)
        {
            return null;
        }

        var data = Seek(handle, offset, SeekData, out var dataErrno);
        if (data < 0)
        {
            // ENXIO: no data at or after offset, the rest of the file is a hole.
            return dataErrno == Enxio ? (false, fileLength) : null;
        }

        if (data > offset)
        {
            return (false, Math.Min(data, fileLength));
        }

        var hole = Seek(handle, offset, SeekHole, out _);
        return hole <= offset ? null : (true, Math.Min(hole, fileLength));
    }

    /// <summary>Flushes the file's data and metadata to stable storage.</summary>
    public static void Flush(SafeFileHandle handle)
    {
        // Elsewhere the data reaches the disk when the handle is closed; only Linux is a deployment target.
        if (OperatingSystem.IsLinux() && fsync(handle) != 0)
        {
            throw new IOException($"fsync failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>
    /// Starts writing back a range already written, without waiting (sync_file_range WRITE). Spreading
    /// writeback over the copy keeps the final fsync short instead of flushing everything at the end.
    /// </summary>
    public static void StartWriteback(SafeFileHandle handle, long offset, long length)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = sync_file_range(handle, offset, length, SyncFileRangeWrite); // advisory: failure only costs speed
        }
    }

    /// <summary>Bytes allocated on disk for <paramref name="path"/> (st_blocks * 512), or null when unknown.</summary>
    public static unsafe long? GetAllocatedBytes(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = stackalloc byte[StatxBufferSize];
        if (statx(AtFdCwd, path, 0, StatxBlocks, buffer) != 0)
        {
            return null;
        }

        return *(long*)(buffer + StatxBlocksOffset) * 512;
    }

    private static long Seek(SafeFileHandle handle, long offset, int whence, out int errno)
    {
        var result = lseek(handle, offset, whence);
        errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
        return result;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long lseek(SafeFileHandle fd, long offset, int whence);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(SafeFileHandle fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(SafeFileHandle fd, long offset, long nbytes, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
