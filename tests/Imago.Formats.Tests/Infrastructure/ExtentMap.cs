namespace Imago.Formats.Tests.Infrastructure;

/// <summary>Our allocation map of a whole disk, in the shape qemu-img map prints it.</summary>
internal static class ExtentMap
{
    /// <summary>Walks <see cref="IDiskImage.GetExtentAsync"/> over the disk and merges neighbours as qemu-img map merges entries.</summary>
    public static async Task<List<DiskExtent>> MergedAsync(IDiskImage image)
    {
        var result = new List<DiskExtent>();
        for (long offset = 0; offset < image.VirtualSize;)
        {
            var extent = await image.GetExtentAsync(offset, image.VirtualSize - offset);
            Assert.Equal(offset, extent.Offset);
            Assert.True(extent.Length > 0);
            if (result.Count > 0 && result[^1].CanMergeWith(extent))
            {
                var last = result[^1];
                result[^1] = last with { Length = last.Length + extent.Length };
            }
            else
            {
                result.Add(extent);
            }

            offset = extent.End;
        }

        return result;
    }
}
