using System.Runtime.InteropServices;

namespace Imago.Storage.IO;

/// <summary>
/// The flushes .NET does not expose: a directory's entries (after a rename, the new name is only durable once
/// its directory has been flushed) and a whole file system (syncfs: one call instead of one fsync per file when
/// many small files were written). Linux only (the deployment target); elsewhere a no-op.
/// </summary>
internal static partial class NativeSync
{
    // O_DIRECTORY is not the same number on every Linux architecture: asm-generic (x86, x86-64) has 0200000,
    // arm and arm64 have 040000, and there 0200000 is O_DIRECT, which would open the directory for unbuffered I/O.
    private const int DirectoryFlagGeneric = 0x10000; // 0200000
    private const int DirectoryFlagArm = 0x4000;      // 040000

    /// <summary>
    /// open(2) flags for reading a directory on <paramref name="architecture"/>: O_RDONLY (0) | O_DIRECTORY. On an
    /// architecture whose value we have not checked, plain O_RDONLY: it opens a directory just as well, only
    /// without the "must be a directory" check, which is safer than a guessed bit that may mean something else.
    /// </summary>
    internal static int ReadOnlyDirectoryFlags(Architecture architecture) => architecture switch
    {
        Architecture.X64 or Architecture.X86 => DirectoryFlagGeneric,
        Architecture.Arm64 or Architecture.Arm => DirectoryFlagArm,
        _ => 0,
    };

    public static void FlushDirectory(string path) => CallOnDirectory(path, "fsync", static fd => fsync(fd));

    /// <summary>Flushes every file and directory of the file system holding <paramref name="path"/>.</summary>
    public static void FlushFileSystem(string path) => CallOnDirectory(path, "syncfs", static fd => syncfs(fd));

    private static void CallOnDirectory(string path, string what, Func<int, int> call)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = open(path, ReadOnlyDirectoryFlags(RuntimeInformation.ProcessArchitecture));
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
