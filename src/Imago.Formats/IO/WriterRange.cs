namespace Imago.Formats.IO;

/// <summary>
/// The one-pass writer contract every writer enforces the same way: writes go forward, stay inside the disk,
/// and stop at completion. Breaking it is a caller bug, not bad input, so these are argument/state exceptions.
/// </summary>
internal static class WriterRange
{
    public static void Check(long offset, int length, long writtenUpTo, long virtualSize, bool completed)
    {
        if (completed)
        {
            throw new InvalidOperationException("the image has already been completed");
        }

        if (offset < writtenUpTo)
        {
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"writes must move forward: a write at {offset} comes after data up to {writtenUpTo}");
        }

        if (offset > virtualSize - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"a write of {length} bytes at {offset} goes past the end of the {virtualSize}-byte disk");
        }
    }
}
