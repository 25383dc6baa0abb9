namespace Imago.Formats.Conversion;

/// <summary>Tuning for <see cref="ImageConverter"/>. The defaults keep buffers to 16-32 MiB.</summary>
public sealed record ConvertOptions
{
    /// <summary>Bytes per read (rounded to a multiple of the writer's granularity, at least one unit).</summary>
    public int ChunkSize { get; init; } = 2 << 20;

    /// <summary>
    /// Reads in flight, each with its own pooled buffer. Parallel reads are how compressed sources
    /// decompress on every core; writes still happen one at a time, in order.
    /// </summary>
    public int ReadAhead { get; init; } = Math.Clamp(Environment.ProcessorCount * 2, 4, 16);

    public static ConvertOptions Default { get; } = new();
}
