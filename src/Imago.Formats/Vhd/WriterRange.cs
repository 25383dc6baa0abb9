namespace Imago.Formats.Vhd;

/// <summary>The one-pass writer contract: writes go forward, stay inside the disk, and stop at completion.</summary>
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
            throw new InvalidOperationException(
                $"writes must move forward: a write at {offset} comes after data up to {writtenUpTo}");
        }

        if (offset > virtualSize - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"a write of {length} bytes at {offset} goes past the end of the {virtualSize}-byte disk");
        }
    }
}
