using Microsoft.Win32.SafeHandles;

namespace Imago.Formats.IO;

/// <summary>Opens the file an image writer writes into.</summary>
public static class OutputFile
{
    /// <summary>
    /// Creates <paramref name="path"/> afresh for writing, replacing any file there.
    /// </summary>
    /// <remarks>
    /// The old file is unlinked and a new one created exclusively rather than opened with FileMode.Create:
    /// .NET implements Create as ftruncate(fd, 0), and ext4 (auto_da_alloc) then forces writeback of all
    /// delayed-allocation data when the handle is closed, which made closing a freshly written 1 GiB image take
    /// half a second. A new inode has nothing to truncate, so close stays cheap; durability is the writer's
    /// explicit fsync, not a side effect of close.
    /// </remarks>
    public static SafeFileHandle Create(string path)
    {
        File.Delete(path);
        return File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.Asynchronous);
    }

    /// <summary>
    /// Creates <paramref name="path"/> (as <see cref="Create"/>) and builds the writer on it; when building fails
    /// (sizing the file, writing the first headers) the handle is closed instead of leaking.
    /// </summary>
    internal static TWriter CreateWriter<TWriter>(string path, Func<SafeFileHandle, TWriter> build)
    {
        var file = Create(path);
        try
        {
            return build(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
