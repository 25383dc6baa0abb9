using System.Globalization;
using Imago.Formats;
using Imago.Formats.Conversion;

namespace Imago.Img;

/// <summary>
/// <c>imago img map [-f FMT] [--output human|json] FILE</c>: qemu-img 7.2's map. JSON entries carry start,
/// length, depth, present, zero, data and (when the data is stored plainly) offset; qemu 7.2 prints no
/// "compressed" field, so neither do we.
/// </summary>
internal sealed class MapCommand : ImageReportCommand
{
    public override string Name => "map";

    public override string Summary => "show which ranges of the virtual disk hold data, zeros or nothing";

    protected override async Task<string> ReportAsync(IDiskImage image, string path, bool json, CancellationToken cancellationToken)
    {
        var output = new System.Text.StringBuilder();
        output.Append(json ? "[" : "Offset          Length          Mapped to       File\n");
        var first = true;
        await foreach (var extent in ImageMapper.MapAsync(image, cancellationToken).ConfigureAwait(false))
        {
            if (json)
            {
                output.Append(first ? "" : ",\n").Append(JsonEntry(extent));
            }
            else if (extent.Data)
            {
                if (extent.HostOffset is not { } host)
                {
                    throw new ImageFormatException(ImageErrorKind.UnsupportedFormat,
                        "File contains external, encrypted or compressed clusters.");
                }

                output.Append(CultureInfo.InvariantCulture,
                    $"{Hex(extent.Offset),-16}{Hex(extent.Length),-16}{Hex(host),-16}{path}\n");
            }

            first = false;
        }

        if (json && first)
        {
            // qemu-img prints one empty, absent entry for a zero-length disk.
            output.Append(JsonEntry(new DiskExtent(0, 0, Present: false, Zero: false, Data: false)));
        }

        output.Append(json ? "]\n" : "");
        return output.ToString();
    }

    private static string JsonEntry(DiskExtent e) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{{ \"start\": {e.Offset}, \"length\": {e.Length}, \"depth\": 0, \"present\": {Bool(e.Present)}, \"zero\": {Bool(e.Zero)}, \"data\": {Bool(e.Data)}")
        + (e.HostOffset is { } host ? string.Create(CultureInfo.InvariantCulture, $", \"offset\": {host}") : "")
        + "}";

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>C's "%#x": 0 stays "0", everything else gets 0x.</summary>
    private static string Hex(long value) => value == 0 ? "0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
