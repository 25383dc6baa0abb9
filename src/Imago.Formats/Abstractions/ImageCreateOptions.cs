namespace Imago.Formats;

public enum CompressionType
{
    Zlib,
    Zstd,
}

public enum VhdSubformat
{
    Dynamic,
    Fixed,
}

/// <summary>
/// Options for creating an image, mirroring qemu-img's <c>-o</c> options for the formats we write.
/// </summary>
public sealed record ImageCreateOptions
{
    /// <summary>qcow2 cluster size in bytes (512 B to 2 MiB, power of two). Default 64 KiB.</summary>
    public int? ClusterSize { get; init; }

    /// <summary>Compress every data cluster (qcow2 only; qemu-img's -c).</summary>
    public bool Compress { get; init; }

    /// <summary>qcow2 compression algorithm for compressed clusters. Default zlib (deflate).</summary>
    public CompressionType CompressionType { get; init; } = CompressionType.Zlib;

    /// <summary>VHD subformat. Default dynamic, as qemu-img.</summary>
    public VhdSubformat Subformat { get; init; } = VhdSubformat.Dynamic;

    /// <summary>VHD: keep the exact virtual size (as Azure requires) instead of rounding up to CHS geometry.</summary>
    public bool ForceSize { get; init; }

    /// <summary>
    /// Flush the finished image to stable storage (fsync) before <see cref="IDiskImageWriter.CompleteAsync"/>
    /// returns. On by default; <c>imago img convert -t unsafe</c> turns it off, which is what qemu-img convert's
    /// default cache mode ("unsafe") does. Not an <c>-o</c> option: it is how to write, not what to write.
    /// </summary>
    public bool FlushToStableStorage { get; init; } = true;

    public static ImageCreateOptions Default { get; } = new();

    /// <summary>
    /// Parses qemu-img's option syntax: <c>cluster_size=64k,compression_type=zstd,subformat=fixed,force_size</c>.
    /// Unknown keys and bad values raise <see cref="ImageFormatException"/> with <see cref="ImageErrorKind.InvalidOption"/>.
    /// </summary>
    public static ImageCreateOptions Parse(string? text, ImageCreateOptions? start = null)
    {
        var options = start ?? Default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return options;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            var key = (eq < 0 ? part : part[..eq]).Trim().Replace('-', '_').ToLowerInvariant();
            var value = eq < 0 ? null : part[(eq + 1)..].Trim();
            options = key switch
            {
                "cluster_size" => options with { ClusterSize = ClusterSizeValue(SizeParser.Parse(Require(key, value))) },
                "compression_type" => options with { CompressionType = Require(key, value).ToLowerInvariant() switch
                {
                    "zlib" => CompressionType.Zlib,
                    "zstd" => CompressionType.Zstd,
                    _ => throw Invalid($"compression_type must be zlib or zstd, not '{value}'"),
                } },
                "subformat" => options with { Subformat = Require(key, value).ToLowerInvariant() switch
                {
                    "dynamic" => VhdSubformat.Dynamic,
                    "fixed" => VhdSubformat.Fixed,
                    _ => throw Invalid($"subformat must be fixed or dynamic, not '{value}'"),
                } },
                "force_size" => options with { ForceSize = ParseBool(key, value) },
                _ => throw Invalid($"unknown option '{key}' (known: cluster_size, compression_type, subformat, force_size)"),
            };
        }

        return options;
    }

    private static int ClusterSizeValue(long size) =>
        size > int.MaxValue ? throw Invalid($"cluster_size {size} is too large (at most 2M)") : (int)size;

    private static string Require(string key, string? value) =>
        string.IsNullOrEmpty(value) ? throw Invalid($"option '{key}' needs a value") : value;

    private static bool ParseBool(string key, string? value) => value?.ToLowerInvariant() switch
    {
        null or "on" or "true" or "yes" => true,
        "off" or "false" or "no" => false,
        _ => throw Invalid($"option '{key}' takes on or off, not '{value}'"),
    };

    // Messages echo user input: keep them on one line whatever the input holds (control characters become '?').
    private static ImageFormatException Invalid(string message) =>
        new(ImageErrorKind.InvalidOption, string.Create(message.Length, message, static (span, m) =>
        {
            for (var i = 0; i < m.Length; i++)
            {
                span[i] = char.IsControl(m[i]) ? '?' : m[i];
            }
        }));
}
