using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Imago.Img;

/// <summary>Text and JSON in qemu-img's shapes.</summary>
internal static class QemuText
{
    private static readonly string[] Suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

    /// <summary>
    /// qemu's size_to_str: three significant digits and a binary unit, switching to the next unit once the
    /// number would reach 1000 ("136 KiB", "1.5 GiB", "10 MiB").
    /// </summary>
    public static string Size(long bytes)
    {
        var exponent = bytes <= 0 ? 0 : Math.ILogB(bytes / (1000.0 / 1024.0)) + 1;
        var unit = Math.Clamp((exponent - 1) / 10, 0, Suffixes.Length - 1);
        var value = bytes / Math.Pow(1024, unit);
        return $"{value.ToString("G3", CultureInfo.InvariantCulture)} {Suffixes[unit]}B";
    }

    /// <summary>qemu's "%0.2f" percentages.</summary>
    public static string Percent(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Pretty-printed JSON with qemu's four-space indentation, ending in a newline.</summary>
    public static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentSize = 4, NewLine = "\n" }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Writes a format-specific value (string, bool, number, list or nested map) as JSON.</summary>
    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case uint u: writer.WriteNumberValue(u); break;
            case ulong ul: writer.WriteNumberValue(ul); break;
            case double d: writer.WriteNumberValue(d); break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }

                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>A format-specific value as qemu's human output prints it.</summary>
    public static string HumanValue(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
