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

    /// <summary>Our map of the whole disk, merged as qemu-img map merges entries.</summary>
    public static async Task<List<DiskExtent>> MapAsync(IDiskImage image)
    {
        var list = new List<DiskExtent>();
        for (long offset = 0; offset < image.VirtualSize;)
        {
            var e = await image.GetExtentAsync(offset, image.VirtualSize - offset);
            Assert.True(e.Length > 0 && e.Offset == offset);
            if (list.Count > 0 && list[^1].CanMergeWith(e))
            {
                var last = list[^1];
                list[^1] = last with { Length = last.Length + e.Length };
            }
            else
            {
                list.Add(e);
            }

            offset = e.End;
        }

        return list;
    }
}
