namespace Imago.Formats.IO;

/// <summary>Facts about an image file on the host file system (for <c>info</c>'s "actual-size").</summary>
public static class HostFile
{
    /// <summary>Bytes the file occupies on disk (st_blocks * 512, as qemu-img reports), or null when unknown.</summary>
    public static long? AllocatedBytes(string path) => PosixFile.GetAllocatedBytes(path);
}
