using System.Runtime.InteropServices;

namespace Imago.Storage.IO;

/// <summary>
/// The flushes .NET does not expose: a directory's entries (after a rename, the new name is only durable once
/// its directory has been flushed) and a whole file system (syncfs: one call instead of one fsync per file when
/// many small files were written). Linux only (the deployment target); elsewhere a no-op.
/// </summary>
internal static partial class NativeSync
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY (Linux)

    public static void FlushDirectory(string path) => CallOnDirectory(path, "fsync", static fd => fsync(fd));

    /// <summary>Flushes every file and directory of the file system holding <paramref name="path"/>.</summary>
    public static void FlushFileSystem(string path) => CallOnDirectory(path, "syncfs", static fd => syncfs(fd));

    private static void CallOnDirectory(string path, string what, Func<int, int> call)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = open(path, ReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {path} for {what} (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (call(fd) != 0)
            {
                throw new IOException($"{what} of {path} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int syncfs(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
