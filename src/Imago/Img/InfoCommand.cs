using Imago.Formats;
using Imago.Formats.IO;

namespace Imago.Img;

/// <summary><c>imago img info [-f FMT] [--output human|json] FILE</c>: qemu-img info's fields and names.</summary>
internal sealed class InfoCommand : ImageReportCommand
{
    public override string Name => "info";

    public override string Summary => "show format, virtual size, disk usage and format details";

    protected override Task<string> ReportAsync(IDiskImage image, string path, bool json, CancellationToken cancellationToken)
    {
        var actualSize = HostFile.AllocatedBytes(path);
        return Task.FromResult(json ? Json(image, path, actualSize) : Human(image, path, actualSize));
    }

    private static string Json(IDiskImage image, string path, long? actualSize) => QemuText.Json(w =>
    {
        var details = image.Details;
        w.WriteStartObject();
        w.WriteNumber("virtual-size", image.VirtualSize);
        w.WriteString("filename", path);
        if (details.ClusterSize is { } clusterSize)
        {
            w.WriteNumber("cluster-size", clusterSize);
        }

        w.WriteString("format", image.Format.QemuName());
        if (actualSize is { } actual)
        {
            w.WriteNumber("actual-size", actual);
        }

        if (details.FormatSpecific is { } specific)
        {
            w.WriteStartObject("format-specific");
            w.WriteString("type", image.Format.QemuName());
            w.WritePropertyName("data");
            QemuText.WriteValue(w, specific);
            w.WriteEndObject();
        }

        w.WriteBoolean("dirty-flag", details.DirtyFlag ?? false);
        w.WriteEndObject();
    });

    private static string Human(IDiskImage image, string path, long? actualSize)
    {
        var text = new System.Text.StringBuilder();
        text.Append("image: ").Append(path).Append('\n');
        text.Append("file format: ").Append(image.Format.QemuName()).Append('\n');
        text.Append("virtual size: ").Append(QemuText.Size(image.VirtualSize))
            .Append(" (").Append(QemuText.Invariant(image.VirtualSize)).Append(" bytes)\n");
        text.Append("disk size: ").Append(actualSize is { } actual ? QemuText.Size(actual) : "unavailable").Append('\n');
        if (image.Details.ClusterSize is { } clusterSize)
        {
            text.Append("cluster_size: ").Append(QemuText.Invariant(clusterSize)).Append('\n');
        }

        if (image.Details.DirtyFlag == true)
        {
            text.Append("cleanly shut down: no\n");
        }

        if (image.Details.FormatSpecific is { Count: > 0 } specific)
        {
            text.Append("Format specific information:\n");
            AppendHuman(text, specific, "    ");
        }

        return text.ToString();
    }

    /// <summary>qemu's human dump: keys with spaces for dashes, nested values indented four more spaces.</summary>
    private static void AppendHuman(System.Text.StringBuilder text, IReadOnlyDictionary<string, object?> map, string indent)
    {
        foreach (var (key, value) in map)
        {
            var label = key.Replace('-', ' ');
            if (value is IReadOnlyDictionary<string, object?> nested)
            {
                text.Append(indent).Append(label).Append(":\n");
                AppendHuman(text, nested, indent + "    ");
            }
            else if (value is System.Collections.IEnumerable list and not string)
            {
                text.Append(indent).Append(label).Append(":\n");
                foreach (var item in list)
                {
                    if (item is IReadOnlyDictionary<string, object?> element)
                    {
                        text.Append(indent).Append("    [").Append("]:\n");
                        AppendHuman(text, element, indent + "        ");
                    }
                    else
                    {
                        text.Append(indent).Append("    ").Append(QemuText.HumanValue(item)).Append('\n');
                    }
                }
            }
            else
            {
                text.Append(indent).Append(label).Append(": ").Append(QemuText.HumanValue(value)).Append('\n');
            }
        }
    }
}
