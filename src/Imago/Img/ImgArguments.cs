using Imago.Cli;
using Imago.Formats;

namespace Imago.Img;

/// <summary>How the img commands read their common arguments (-f, -O, -o, --output), with qemu-img's meaning.</summary>
internal static class ImgArguments
{
    /// <summary>-o keys each output format accepts (qemu-img rejects the others as "Invalid parameter").</summary>
    private static readonly Dictionary<ImageFormat, string[]> CreateOptionKeys = new()
    {
        [ImageFormat.Raw] = [],
        [ImageFormat.Qcow2] = ["cluster_size", "compression_type"],
        [ImageFormat.Vhd] = ["subformat", "force_size"],
    };

    /// <summary>-f: null means detect by content. A recognised but refused format is refused by name.</summary>
    public static ImageFormat? InputFormat(string? name)
    {
        if (name is null)
        {
            return null;
        }

        if (!ImageFormatNames.TryParse(name, out var format))
        {
            throw new UsageException($"unknown file format '{name}' (use raw, qcow2 or vpc)");
        }

        return format.IsAccepted() ? format : throw ImageFormatException.Unsupported(format);
    }

    /// <summary>-O: the formats we write (vhd is accepted as an alias of vpc).</summary>
    public static ImageFormat OutputFormat(string? name)
    {
        if (name is null)
        {
            throw new UsageException("an output format is required (-O raw, qcow2 or vpc)");
        }

        if (!ImageFormatNames.TryParse(name, out var format) || !format.IsAccepted())
        {
            throw new UsageException($"unknown or unsupported output format '{name}' (use raw, qcow2 or vpc)");
        }

        return format;
    }

    /// <summary>Parses every -o (repeats join with commas, as qemu-img does) and checks each key applies to the format.</summary>
    public static ImageCreateOptions CreateOptions(ImageFormat format, IReadOnlyList<string> values, bool compress)
    {
        var text = string.Join(',', values);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var key = part.Split('=', 2)[0].Trim().Replace('-', '_').ToLowerInvariant();
            if (!CreateOptionKeys[format].Contains(key))
            {
                throw new ImageFormatException(ImageErrorKind.InvalidOption,
                    $"invalid parameter '{key}' for output format {format.QemuName()}"
                    + (CreateOptionKeys[format].Length == 0 ? " (it takes no -o options)" : $" (valid: {string.Join(", ", CreateOptionKeys[format])})"));
            }
        }

        if (compress && format != ImageFormat.Qcow2)
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption, "compression (-c) is only supported for qcow2 output");
        }

        try
        {
            var options = ImageCreateOptions.Parse(text) with { Compress = compress };
            if (options.ClusterSize is { } size && (size < 512 || size > 2 << 20 || (size & (size - 1)) != 0))
            {
                throw new ImageFormatException(ImageErrorKind.InvalidOption,
                    "Cluster size must be a power of two between 512 and 2048k");
            }

            return options;
        }
        catch (OverflowException)
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption, $"an option value is out of range in '{text}'");
        }
    }

    /// <summary>--output human|json.</summary>
    public static bool IsJson(ParsedOptions options) => options.Value("--output") switch
    {
        null or "human" => false,
        "json" => true,
        var other => throw new UsageException($"--output must be 'human' or 'json', not '{other}'"),
    };

    public static string SingleOperand(ParsedOptions options, string what)
    {
        return options.Operands.Count switch
        {
            1 => options.Operands[0],
            0 => throw new UsageException($"expecting {what}"),
            _ => throw new UsageException($"expecting one {what}, got {options.Operands.Count} arguments"),
        };
    }

    /// <summary>The arguments of the commands that look at one image (info, map, check): -f, --output and FILE.</summary>
    public static SingleImageArguments SingleImage(ParsedOptions options)
    {
        var json = IsJson(options);
        var format = InputFormat(options.Value("-f"));
        return new SingleImageArguments(SingleOperand(options, "a file name"), format, json);
    }
}

/// <summary>FILE, its -f format (null: detect by content) and whether --output is json.</summary>
internal sealed record SingleImageArguments(string Path, ImageFormat? Format, bool Json);
