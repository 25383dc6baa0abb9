using Imago.Formats.IO;
using Imago.Formats.Qcow2;

namespace Imago.Formats.Tests.Qcow2;

/// <summary>Opens files straight through the qcow2 reader (the inspector is tested on its own).</summary>
internal static class Qcow2Open
{
    public static async Task<IDiskImage> FileAsync(string path) =>
        await Qcow2DiskImage.OpenAsync(FileByteSource.Open(path), CancellationToken.None);

    public static async Task<IDiskImage> BytesAsync(byte[] data) =>
        await Qcow2DiskImage.OpenAsync(new MemoryByteSource(data), CancellationToken.None);
}
