namespace Imago.Formats.Conversion;

/// <summary>How far a conversion has got: bytes of the virtual disk handled (copied or skipped as zero).</summary>
public readonly record struct ConvertProgress(long BytesProcessed, long TotalBytes)
{
    /// <summary>0 to 100; an empty disk counts as done.</summary>
    public double Percent => TotalBytes <= 0 ? 100.0 : 100.0 * BytesProcessed / TotalBytes;
}
