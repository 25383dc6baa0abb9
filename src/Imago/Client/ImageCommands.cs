using Imago.Cli;

namespace Imago.Client;

/// <summary><c>imago image import|export|copy|ls|show</c>: the service's long image operations from a shell, with progress bars.</summary>
public static class ImageCommands
{
    public static CommandGroup Create() => new("image", "import, export, copy and list images on a running service (client)",
    [
        new ImportImageCommand(),
        new ExportImageCommand(),
        new CopyImageCommand(),
        new ListImagesCommand(),
        new ShowImageCommand(),
    ]);

    /// <summary>The client's --format words as ECS spells them (ImportImage's Format, ExportImage's ImageFormat).</summary>
    internal static string EcsFormat(string format, bool forExport) => format.ToLowerInvariant() switch
    {
        "raw" => forExport ? "raw" : "RAW",
        "vhd" => forExport ? "vhd" : "VHD",
        "qcow2" => "qcow2",
        _ => throw new UsageException($"--format '{format}' is not one of raw, vhd, qcow2"),
    };
}
