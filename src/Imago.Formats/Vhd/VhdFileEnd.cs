using Microsoft.Win32.SafeHandles;

namespace Imago.Formats.Vhd;

/// <summary>How both VHD writers finish a file: the footer as the last sector, then an fsync if asked for.</summary>
internal static class VhdFileEnd
{
    /// <summary>Writes <paramref name="footer"/> at <paramref name="offset"/> and ends the file right after it.</summary>
    public static async ValueTask WriteFooterAsync(SafeFileHandle file, VhdFooter footer, long offset, bool flushToStableStorage,
        CancellationToken cancellationToken)
    {
        var bytes = new byte[VhdConstants.FooterSize];
        footer.WriteTo(bytes);
        await RandomAccess.WriteAsync(file, bytes, offset, cancellationToken).ConfigureAwait(false);
        RandomAccess.SetLength(file, offset + VhdConstants.FooterSize);
        if (flushToStableStorage)
        {
            RandomAccess.FlushToDisk(file);
        }
    }
}
