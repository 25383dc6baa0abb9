namespace Imago.Formats.IO;

/// <summary>Vectorised zero tests used to keep zero ranges out of every image we write.</summary>
public static class ZeroDetector
{
    public static bool IsAllZero(ReadOnlySpan<byte> data) => data.IndexOfAnyExcept((byte)0) < 0;
}
