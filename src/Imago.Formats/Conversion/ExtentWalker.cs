namespace Imago.Formats.Conversion;

/// <summary>Walks a disk's extents from start to end, checking that the reader keeps its contract.</summary>
internal static class ExtentWalker
{
    public static async IAsyncEnumerable<DiskExtent> WalkAsync(IDiskImage image,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var extent in WalkAsync(image, 0, image.VirtualSize, cancellationToken).ConfigureAwait(false))
        {
            yield return extent;
        }
    }

    public static async IAsyncEnumerable<DiskExtent> WalkAsync(IDiskImage image, long start, long end,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var offset = start;
        while (offset < end)
        {
            var extent = await image.GetExtentAsync(offset, end - offset, cancellationToken).ConfigureAwait(false);

            // A reader that returned an empty or misplaced extent would make this loop spin forever.
            if (extent.Offset != offset || extent.Length <= 0 || extent.Length > end - offset)
            {
                throw ImageFormatException.Corrupt(image.Format,
                    $"the allocation map is inconsistent at offset {offset}");
            }

            yield return extent;
            offset = extent.End;
        }
    }
}
