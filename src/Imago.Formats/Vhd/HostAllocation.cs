using System.Runtime.InteropServices;
using Imago.Formats.IO;

namespace Imago.Formats.Vhd;

/// <summary>
/// Asks the file system which ranges of an image file are holes (lseek SEEK_DATA / SEEK_HOLE), as qemu's file
/// driver does, so that a fixed VHD's map reports zero ranges the way qemu-img map does and a converter can skip them.
/// Only positional reads are used elsewhere, so moving the descriptor's file position here is harmless.
/// </summary>
internal static partial class HostAllocation
{
    private const int SeekData = 3;
    private const int SeekHole = 4;
    private const int NoSuchDeviceOrAddress = 6; // ENXIO: no data at or after the offset

    /// <summary>
    /// The run of one kind (data or hole) in the file starting at <paramref name="offset"/>, ending at most at
    /// <paramref name="end"/>. Returns false when the answer is unknown (not a local file, not Linux, an error).
    /// </summary>
    public static bool TryGetRun(IByteSource source, long offset, long end, out bool isHole, out long runEnd)
    {
        isHole = false;
        runEnd = end;
        if (source is not FileByteSource file || !OperatingSystem.IsLinux() || file.Handle.IsInvalid || file.Handle.IsClosed)
        {
            return false;
        }

        var added = false;
        try
        {
            file.Handle.DangerousAddRef(ref added);
            var fd = (int)file.Handle.DangerousGetHandle();
            var data = Seek(fd, offset, SeekData);
            if (data < 0)
            {
                if (Marshal.GetLastPInvokeError() != NoSuchDeviceOrAddress)
                {
                    return false;
                }

                isHole = true;
                return true;
            }

            if (data > offset)
            {
                isHole = true;
                runEnd = Math.Min(data, end);
                return true;
            }

            var hole = Seek(fd, offset, SeekHole);
            if (hole <= offset)
            {
                return false;
            }

            runEnd = Math.Min(hole, end);
            return true;
        }
        finally
        {
            if (added)
            {
                file.Handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Seek(int fd, long offset, int whence);
}
