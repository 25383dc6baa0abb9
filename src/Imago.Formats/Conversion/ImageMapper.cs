namespace Imago.Formats.Conversion;

/// <summary>
/// The allocation map of a disk as qemu-img map prints it: the reader's extents, with neighbours of the
/// same status (and contiguous host offsets) merged into one entry.
/// </summary>
public static class ImageMapper
{
    public static async IAsyncEnumerable<DiskExtent> MapAsync(IDiskImage image,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        DiskExtent? current = null;
        await foreach (var extent in ExtentWalker.WalkAsync(image, cancellationToken).ConfigureAwait(false))
        {
            if (current is { } run && run.CanMergeWith(extent))
            {
                current = run with { Length = run.Length + extent.Length };
                continue;
            }

            if (current is { } done)
            {
                yield return done;
            }

            current = extent;
        }

        if (current is { } last)
        {
            yield return last;
        }
    }
}
